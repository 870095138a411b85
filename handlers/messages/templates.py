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
    # The confirmation step of a call or broadcast, when some recipients need a template.
    "templates.cost_note": (
        "Trên Zalo, {templates} người đã lâu không nhắn cho OA sẽ nhận bằng mẫu tin có phí"
        "{cost}. Ngân sách mẫu tin của đơn vị: hôm nay còn {left_day} tin; tháng này: "
        "{left_month}."
    ),
    "templates.month_left": "còn {count} tin",
    "templates.cost_money": "(khoảng {money} đ)",
    "templates.no_cap": "không giới hạn",
    "templates.over_budget": (
        "Không gửi được: {templates} người trên Zalo cần mẫu tin có phí{cost}, nhưng ngân sách "
        "mẫu tin của đơn vị chỉ còn {left} tin ({period}). Hãy thu hẹp phạm vi, chờ sang "
        "{period_next}, hoặc nhờ quản trị nâng ngân sách (ZALO_OA_TEMPLATE_DAILY_BUDGET)."
    ),
    "templates.period.day": "hôm nay",
    "templates.period.month": "tháng này",
    "templates.period_next.day": "ngày mai",
    "templates.period_next.month": "tháng sau",
    # Progress and final reports of a bulk send split by how each message went.
    "templates.progress_split": (
        "Trong cửa sổ: {window} · mẫu tin: {template} · không gửi được: {unreachable}"
    ),
    "templates.progress_unknown": "(chưa rõ kết quả: {unknown})",
    "templates.progress_delivered": "Mẫu tin: đã đến máy {delivered}, đã đọc {read}.",
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
