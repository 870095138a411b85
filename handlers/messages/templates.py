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
    # What a decision on a nomination says in its template ("decision": {outcome}).
    "templates.outcome.approve": "đã được duyệt",
    "templates.outcome.reject": "không được duyệt",
    "templates.outcome.forward": "đã được chuyển lên cấp trên xét",
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
    # /mautin: a Zalo OA member lets the bot use their verified phone for template messages.
    "mydata.template_phone": (
        "; số {phone} dùng để gửi mẫu tin Zalo khi bạn lâu không nhắn (rút lại: /mautin)"
    ),
    "templates.phone.explain": (
        "Khi bạn không nhắn cho OA quá 7 ngày, Zalo chỉ cho Gương Sáng gửi thông báo (lời kêu "
        "gọi đề cử, nhắc hạn, kết quả đề cử) bằng mẫu tin. Thường mẫu tin gửi theo tài khoản "
        "Zalo của bạn; khi cách đó không được, có thể gửi theo số điện thoại Zalo của bạn.\n"
        "{consent}\nBạn có đồng ý không?"
    ),
    "templates.phone.consent": (
        "Gương Sáng lưu số điện thoại Zalo của bạn chỉ để gửi các thông báo trên bằng mẫu tin, "
        "giữ đến khi bạn rút lại (gõ /mautin), xoá dữ liệu (/xoadulieu), hoặc khi bạn không "
        "nhắn cho OA trong {days} ngày."
    ),
    "templates.phone.has": (
        "Gương Sáng đang lưu số {phone} để gửi mẫu tin Zalo khi bạn lâu không nhắn cho OA. "
        "Rút lại và xoá số này?"
    ),
    "templates.phone.ask": (
        "Bấm vào biểu mẫu «Chia sẻ số điện thoại» ngay dưới đây để gửi số điện thoại Zalo "
        "của bạn (Zalo xác nhận số này là của bạn)."
    ),
    "templates.phone.typed": (
        "Số gõ tay thì Zalo không xác nhận được là của bạn. Hãy bấm vào biểu mẫu «Chia sẻ số "
        "điện thoại», hoặc gõ /huy để thôi."
    ),
    "templates.phone.not_own": "Đây không phải số của tài khoản Zalo này. Hãy dùng biểu mẫu.",
    "templates.phone.saved": (
        "Đã lưu số {phone}. Khi bạn lâu không nhắn cho OA, thông báo có thể đến qua số này. "
        "Rút lại bất cứ lúc nào: /mautin."
    ),
    "templates.phone.kept": "Không thay đổi gì.",
    "templates.phone.removed": "Đã xoá số điện thoại và rút lại sự đồng ý này.",
    "templates.phone.only_zalo": (
        "Việc này chỉ dành cho tài khoản Zalo Official Account. Hãy gõ /mautin trong chat với "
        "OA của Gương Sáng trên Zalo."
    ),
    "templates.phone.choice.agree": "Đồng ý",
    "templates.phone.choice.remove": "Rút lại và xoá số",
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
