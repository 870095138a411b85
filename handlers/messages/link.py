"""Texts for linking a second chat app (or a browser) to the same person."""

TEXTS = {
    "link.your_code": (
        "Mã đăng nhập của bạn: {code}\n"
        "Gõ mã này vào Gương Sáng trên ứng dụng khác (Zalo, Telegram…) hoặc trên trình duyệt "
        "web của điện thoại mới. Mã dùng được một lần, trong {minutes} phút.\n"
        "⚠️ Không đưa mã cho ai: ai có mã sẽ dùng được tài khoản của bạn."
    ),
    "link.done": (
        "Đã liên kết tài khoản này với {name}. Các đề cử và quyền của bạn đều dùng được ở đây."
    ),
    "link.done_confirmed": (
        "Đã được xác nhận: tài khoản này nay là của {name}. Các đề cử và quyền đều dùng được ở "
        "đây. Gõ /trogiup để xem các lệnh."
    ),
    "link.expired": (
        "Mã đăng nhập đã hết hạn hoặc đã được dùng. Hãy gõ /taikhoan ở ứng dụng cũ để lấy mã mới."
    ),
    "link.pending": (
        "Mã đúng. Vì tài khoản này có quyền duyệt hoặc quản lý, cần xác nhận từ một tài khoản đã "
        "liên kết: hãy mở Gương Sáng ở đó, gõ /taikhoan và chọn “Xác nhận”. Trong 24 giờ."
    ),
    "link.new_account": (
        "Thông báo bảo mật: {account} vừa được liên kết với tài khoản Gương Sáng của bạn. "
        "Nếu không phải bạn, gõ /taikhoan ngay và chọn “Gỡ một tài khoản”."
    ),
    "link.confirm_needed": (
        "Thông báo bảo mật: {account} vừa gõ mã đăng nhập của bạn và xin liên kết. "
        "Gõ /taikhoan để xác nhận hoặc từ chối. Nếu không phải bạn, hãy từ chối."
    ),
}
