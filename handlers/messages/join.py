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
    "join.consent_refused": (
        "Bạn chưa đồng ý, nên Gương Sáng không lưu họ tên và số điện thoại bạn vừa gõ: các tin "
        "nhắn đó đã được xoá. Chỉ còn giữ mã tài khoản {app} của bạn và lúc bạn từ chối, để không "
        "hỏi lại bạn nữa; cả hai được xoá sau {days} ngày nếu bạn không quay lại. Khi nào sẵn "
        "sàng, hãy gõ lại mã mời."
    ),
    "join.refused_before": (
        "Lần trước bạn chưa đồng ý cho Gương Sáng lưu thông tin, nên bot không làm gì thêm với "
        "bạn. Nếu muốn tham gia, hãy gõ mã mời của đơn vị."
    ),
    "join.done": "Chào mừng {name} đã tham gia {unit} với vai trò {role}!",
    "join.choice.agree": "Đồng ý",
    "join.choice.disagree": "Không đồng ý",
    "role.member": "thành viên",
    "role.reviewer": "người duyệt",
    "role.official": "cán bộ phụ trách",
    "role.admin": "quản trị",
}
