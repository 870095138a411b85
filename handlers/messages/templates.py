"""Texts of template messages (Zalo OA outside its window) and of their costs and alerts."""

TEXTS = {
    # What a member types once a template brought them back into the conversation.
    "templates.hint.call_opened": "Mở chat với OA và nhắn số 1 để đề cử",
    "templates.hint.deadline_reminder": "Mở chat với OA và nhắn số 1 để đề cử",
    "templates.hint.event_invitation": "Mở chat với OA và nhắn số 1 để đăng ký",
    "templates.hint.event_reminder": "Mở chat với OA để xem chi tiết",
    "templates.hint.decision": "Mở chat với OA và nhắn /cuatoi để xem",
    "templates.hint.ask_for_more": "Mở chat với OA để trả lời người duyệt",
    "templates.hint.digest": "Mở chat với OA và nhắn /duyet để duyệt",
    "templates.hint.sla_reminder": "Mở chat với OA và nhắn /duyet để duyệt",
    # Alerts to the admins: a template send that cannot succeed until someone acts.
    "alert.zalo_template": (
        "Cảnh báo cho quản trị: mẫu tin Zalo đang dừng ({reason}). Các tin cần mẫu tin được "
        "tính là không gửi được cho tới khi việc này được xử lý."
    ),
    "alert.zalo_template.balance": "tài khoản Zalo Cloud không đủ tiền",
    "alert.zalo_template.quota": "đã hết hạn mức gửi trong ngày của OA",
    "alert.zalo_template.template": "mẫu {kind} chưa được duyệt hoặc đã bị khoá",
    "alert.zalo_template.permission": "OA chưa được phép gửi mẫu tin",
    "alert.zalo_template.params": "tham số của mẫu {kind} không khớp với mẫu đã đăng ký",
}
