"""Texts of the web console (issue 17): signing in, the menu, the pages and their notices."""

TEXTS = {
    # /web in the chat
    "console.link.ready": (
        "Liên kết vào trang quản trị Gương Sáng (chỉ dùng được một lần, trong {minutes} phút):\n"
        "{url}\n\nHãy mở trên máy tính hoặc điện thoại của bạn và bấm «Đăng nhập». Đừng chuyển "
        "liên kết này cho người khác. Xem và đăng xuất các trình duyệt bằng /thietbi."
    ),
    "console.link.off": "Trang quản trị chưa được bật trên máy chủ này.",
    "console.device": "Trang quản trị · {device}",
    # the frame
    "console.title": "Gương Sáng — Quản trị",
    "console.skip": "Bỏ qua, đến nội dung chính",
    "console.menu.label": "Các trang quản trị",
    "console.menu.nominations": "Đề cử",
    "console.menu.units": "Đơn vị",
    "console.menu.members": "Thành viên & lời mời",
    "console.menu.campaigns": "Đợt phát động",
    "console.menu.broadcasts": "Thông báo",
    "console.menu.dossier": "Hồ sơ khen thưởng",
    "console.menu.stats": "Thống kê",
    "console.menu.audit": "Nhật ký",
    "console.menu.criteria": "Tiêu chí",
    "console.sign_out": "Đăng xuất",
    "console.back_home": "Về trang chính",
    "console.cancel": "Huỷ",
    "console.pages": "Trang",
    "console.prev": "‹ Trang trước",
    "console.next": "Trang sau ›",
    "console.page_of": "Trang {page}/{pages}",
    # signing in and out
    "console.signin.title": "Đăng nhập trang quản trị",
    "console.signin.explain": (
        "Bạn mở liên kết đăng nhập lấy từ lệnh /web. Bấm nút dưới đây để đăng nhập trên trình "
        "duyệt này (liên kết chỉ dùng được một lần)."
    ),
    "console.signin.button": "Đăng nhập",
    "console.signin.how": (
        "Để vào trang quản trị, hãy gõ /web trong ứng dụng chat Gương Sáng (Zalo, Telegram hoặc "
        "trang trò chuyện) rồi mở liên kết bot gửi. Trang quản trị dành cho người duyệt, cán bộ "
        "phụ trách và quản trị viên."
    ),
    "console.signin.invalid": (
        "Liên kết đăng nhập này không dùng được: đã dùng rồi, đã hết hạn, hoặc bạn không còn "
        "vai trò người duyệt trở lên. Hãy gõ /web trong ứng dụng chat để lấy liên kết mới."
    ),
    "console.signed_out.title": "Bạn chưa đăng nhập",
    "console.signed_out.done": "Bạn đã đăng xuất khỏi trang quản trị.",
    # errors
    "console.error.title": "Không thực hiện được",
    "console.error.forbidden": "Bạn không có quyền xem trang này hoặc làm việc này.",
    "console.error.stale_form": (
        "Biểu mẫu đã cũ hoặc không hợp lệ (có thể bạn đã đăng nhập lại). Hãy mở lại trang và "
        "thử lại."
    ),
    "console.error.cross_origin": "Yêu cầu không đến từ trang quản trị nên đã bị từ chối.",
    "console.error.form_type": "Yêu cầu phải được gửi từ biểu mẫu của trang quản trị.",
    "console.error.bad_form": "Biểu mẫu thiếu hoặc sai thông tin.",
    # the queue
    "console.nominations.title": "Đề cử",
    "console.nominations.count": "{count} đề cử — trang {page}/{pages}",
    "console.nominations.caption": "Danh sách đề cử theo bộ lọc",
    "console.nominations.pick": "Chọn",
    "console.nominations.pick_one": "Chọn đề cử {code}",
    "console.nominations.none": "Không có đề cử nào khớp bộ lọc.",
    "console.nominations.back": "‹ Về danh sách đề cử",
    "console.filter.status": "Trạng thái",
    "console.filter.waiting": "Đang chờ duyệt",
    "console.filter.all": "Tất cả",
    "console.filter.unit": "Đơn vị",
    "console.filter.every_unit": "Mọi đơn vị trong phạm vi",
    "console.filter.field": "Lĩnh vực",
    "console.filter.every_field": "Mọi lĩnh vực",
    "console.filter.campaign": "Đợt phát động",
    "console.filter.every_campaign": "Mọi đợt",
    "console.filter.from": "Gửi từ ngày",
    "console.filter.to": "Đến ngày",
    "console.filter.name": "Tên người được đề cử (gõ có dấu hay không dấu)",
    "console.filter.order": "Sắp xếp",
    "console.filter.oldest": "Chờ lâu nhất trước",
    "console.filter.newest": "Mới gửi trước",
    "console.filter.apply": "Lọc",
    "console.filter.clear": "Bỏ lọc",
    "console.col.code": "Mã",
    "console.col.nominee": "Người được đề cử",
    "console.col.field": "Lĩnh vực",
    "console.col.unit": "Đơn vị gửi",
    "console.col.level": "Cấp đang xét",
    "console.col.status": "Trạng thái",
    "console.col.submitted": "Ngày gửi",
    "console.col.campaign": "Đợt phát động",
    "console.bulk.approve": "Duyệt các đề cử đã chọn",
    "console.bulk.forward": "Chuyển cấp trên các đề cử đã chọn",
    "console.bulk.nothing": "Hãy chọn ít nhất một đề cử và một việc cần làm.",
    "console.bulk.confirm_title": "Xác nhận",
    "console.bulk.confirm_approve": "Duyệt {count} đề cử sau?",
    "console.bulk.confirm_forward": "Chuyển {count} đề cử sau lên cấp trên?",
    "console.bulk.confirm_button": "Xác nhận",
    "console.bulk.done_title": "Kết quả",
    "console.bulk.done_approve": "Đã duyệt {count}/{asked} đề cử.",
    "console.bulk.done_forward": "Đã chuyển cấp trên {count}/{asked} đề cử.",
    # the card
    "console.card.not_found": "Không tìm thấy đề cử này trong phạm vi của bạn.",
    "console.card.heading": "{code} — {name}",
    "console.card.kind": "Loại",
    "console.card.place": "Nơi sinh sống / công tác",
    "console.card.reporter": "Người đề cử",
    "console.card.phone": "Số điện thoại liên hệ",
    "console.card.achievement": "Thành tích",
    "console.card.evidence": "Minh chứng ({count})",
    "console.card.no_evidence": "Không có minh chứng.",
    "console.card.photo": "Ảnh minh chứng {n}",
    "console.card.file_photo": "Ảnh {n}",
    "console.card.file_video": "Video {n}",
    "console.card.file_voice": "Ghi âm {n}",
    "console.card.file_audio": "Âm thanh {n}",
    "console.card.file_document": "Tài liệu {n}",
    "console.card.file_sticker": "Nhãn dán {n}",
    "console.card.file_elsewhere": (
        "Tệp {n} nằm trên {channel}: xem bằng lệnh /duyet trong ứng dụng đó."
    ),
    "console.card.file_gone": "Tệp {n} không còn mở được trên máy chủ.",
    "console.card.history": "Lịch sử",
    "console.card.submitted_by": "{name} gửi đề cử",
    "console.card.criteria": "Chấm điểm theo tiêu chí",
    "console.card.total": (
        "Tổng điểm {total}/{max} (đã chấm {scored}/{count} tiêu chí, có trọng số)"
    ),
    "console.card.criterion_max": "tối đa {max}, trọng số {weight}",
    "console.card.save_scores": "Lưu điểm",
    "console.card.no_scores": "Chưa nhập điểm nào.",
    "console.card.commendations": "Khen thưởng đã ghi",
    "console.card.commendation": "{form} — quyết định số {number} ngày {date}, {issuer}",
    "console.card.decide": "Quyết định",
    "console.card.question": "Cần bổ sung gì? (người đề cử sẽ nhận câu hỏi)",
    "console.card.reason": "Lý do không duyệt",
    "console.card.reason_other": "Hoặc ghi lý do khác",
    "console.card.recommend": "Ý kiến gửi cấp trên (không bắt buộc)",
    "console.card.commend": "Ghi khen thưởng",
    "console.card.commend_form": "Hình thức khen thưởng",
    "console.card.commend_number": "Số quyết định",
    "console.card.commend_date": "Ngày ký",
    "console.card.commend_issuer": "Cơ quan ban hành",
    "console.card.commend_save": "Lưu khen thưởng",
    "console.card.commend_incomplete": (
        "Hãy điền đủ hình thức, số quyết định, ngày ký (không sau hôm nay) và cơ quan ban hành."
    ),
    "console.event.approve": "{name} duyệt",
    "console.event.needs_info": "{name} hỏi thêm",
    "console.event.answer": "{name} bổ sung",
    "console.event.reject": "{name} không duyệt",
    "console.event.forward": "{name} chuyển cấp trên",
    "console.event.merge": "{name} gộp vào đề cử",
    "console.done.approve": "Đã duyệt đề cử {code}.",
    "console.done.ask": "Đã gửi câu hỏi bổ sung về đề cử {code} cho người đề cử.",
    "console.done.reject": "Đã ghi không duyệt đề cử {code}.",
    "console.done.forward": "Đã chuyển đề cử {code} lên cấp trên.",
    "console.done.merge": "Đã gộp đề cử {code}.",
    "console.done.score": "Đã lưu điểm của đề cử {code}.",
    "console.done.commend": "Đã ghi khen thưởng cho đề cử {code}.",
    "console.done.undone": "Đã hoàn tác quyết định về đề cử {code}: đề cử trở lại như trước, "
    "không ai được báo gì.",
    # After a decision that waits out the undo window (the card shows the undo button).
    "console.held": "Những người liên quan sẽ được báo sau {minutes} phút. Nếu nhầm, bấm "
    "«↩ Hoàn tác» bên dưới (hoặc gõ /hoantac trong ứng dụng chat) trước lúc đó.",
    "console.card.undo": "↩ Hoàn tác quyết định này",
    "console.told_now": "Những người liên quan đã được báo.",
    "console.review_held": "Người đề cử sẽ được báo lúc {at}. Nếu nhầm, bấm «↩ Hoàn tác» trên "
    "trang đề cử (hoặc gõ /hoantac trong ứng dụng chat) trước giờ đó.",
}
