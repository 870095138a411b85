"""Texts for linking a second chat app to the same person, and the admins' alerts."""

TEXTS = {
    "link.your_code": (
        "Dùng Gương Sáng trên ứng dụng khác (Zalo, Telegram…)? Hãy gõ mã sau vào đó: {code}\n"
        "Mã dùng được một lần, trong {minutes} phút."
    ),
    "link.done": (
        "Đã liên kết tài khoản này với {name}. Các đề cử và quyền của bạn đều dùng được ở đây."
    ),
    "link.expired": (
        "Mã liên kết đã hết hạn hoặc đã được dùng. Hãy gõ /cuatoi ở ứng dụng cũ để lấy mã mới."
    ),
    "alert.zalo_oa_token": (
        "Cảnh báo cho quản trị: Gương Sáng không làm mới được quyền gửi tin của Zalo OA, nên "
        "tin nhắn qua Zalo OA đang dừng. Hãy lấy cặp mã mới (Công cụ → API Explorer) và đặt "
        "vào ZALO_OA_REFRESH_TOKEN, rồi khởi động lại bot."
    ),
}
