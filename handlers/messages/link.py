"""Texts for linking a second chat app to the same person."""

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
}
