"""Texts of joining a unit with an invite code."""

TEXTS = {
    "join.invite_unknown": "Mã mời không đúng. Hãy kiểm tra lại mã (gồm chữ và số) hoặc hỏi "
    "cán bộ đơn vị.",
    "join.invite_expired": "Mã mời này đã hết hạn. Hãy xin cán bộ đơn vị một mã mới.",
    "join.invite_used": "Mã mời này đã được dùng hết lượt. Hãy xin cán bộ đơn vị một mã mới.",
    "join.too_many_attempts": "Bạn đã nhập sai mã quá nhiều lần. Hãy thử lại sau một giờ.",
    "join.already_member": "Bạn đã ở trong đơn vị {unit} với vai trò {role}.",
    "join.role_added": "Đã thêm vai trò {role} ở {unit} cho bạn.",
    "join.invite_ok": "Mã mời hợp lệ: bạn được mời vào {unit} với vai trò {role}.",
    "join.ask_name": "Bạn hãy gõ họ và tên của mình (ví dụ: Nguyễn Thị Lan).",
    "join.name_invalid": "Hãy gõ cả họ và tên của bạn bằng chữ (ít nhất hai chữ), ví dụ: "
    "Nguyễn Thị Lan.",
    "join.ask_phone": "Số điện thoại của bạn (để cán bộ liên hệ khi cần). Gõ số, bấm nút chia "
    "sẻ số, hoặc chọn Bỏ qua.",
    "join.phone_invalid": "Số điện thoại chưa đúng. Hãy gõ số Việt Nam, ví dụ 0912 345 678, "
    "hoặc chọn Bỏ qua.",
    "join.phone_not_own": "Đó không phải số của bạn. Hãy chia sẻ số của chính bạn hoặc gõ số.",
    "join.ask_consent": ("Đồng ý lưu thông tin cá nhân\n\n{consent}\n\nBạn có đồng ý không?"),
    "join.consent_text": (
        "Gương Sáng lưu họ tên, số điện thoại (nếu bạn cho) và đơn vị của bạn để ghi nhận các "
        "đề cử bạn gửi, báo cho bạn kết quả xét duyệt và gửi thông báo của đơn vị. Thông tin "
        "chỉ cán bộ có thẩm quyền trong đơn vị của bạn được xem. Bạn có thể yêu cầu xem, sửa "
        "hoặc xoá thông tin của mình bất cứ lúc nào qua cán bộ đơn vị."
    ),
    "join.consent_refused": "Bạn chưa đồng ý nên tôi chưa lưu thông tin nào của bạn. Khi nào "
    "sẵn sàng, hãy gõ lại mã mời.",
    "join.done": "Chào mừng {name} đã tham gia {unit} với vai trò {role}!",
    "join.choice.agree": "Đồng ý",
    "join.choice.disagree": "Không đồng ý",
    "role.member": "thành viên",
    "role.reviewer": "người duyệt",
    "role.official": "cán bộ phụ trách",
    "role.admin": "quản trị",
}
