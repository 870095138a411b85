"""Texts the channel adapters add when they degrade what a platform cannot show."""

TEXTS = {
    "render.menu_hint": "(Trả lời bằng số thứ tự hoặc gõ chữ)",
}

# The web chat page's own labels (filled into the page, or handed to its script).
TEXTS |= {
    "web.title": "Gương Sáng — trò chuyện",
    "web.type_here": "Nhập tin nhắn…",
    "web.send": "Gửi",
    "web.attach": "Gửi ảnh hoặc tệp",
    "web.share_phone": "Chia sẻ số điện thoại",
    "web.phone_prompt": "Số điện thoại của bạn:",
    "web.sign_out": "Đăng xuất",
    "web.sign_out_confirm": (
        "Đăng xuất khỏi thiết bị này? Lần sau bạn cần mã đăng nhập hoặc mã mời."
    ),
    "web.signed_out": (
        "Thiết bị này đã được đăng xuất. Để dùng tiếp, bấm “Bắt đầu lại” rồi gõ mã đăng nhập "
        "(lấy bằng lệnh /taikhoan trên ứng dụng bạn đang dùng) hoặc mã mời mới."
    ),
    "web.start_again": "Bắt đầu lại",
    "web.offline": "Mất kết nối, đang thử lại…",
    "web.too_many": "Bạn đã thử quá nhiều lần từ mạng này. Xin chờ một lúc rồi thử lại.",
    "web.upload_too_large": "Tệp «{name}» quá lớn ({size}): mỗi tệp tối đa {max_mb} MB. Ảnh "
    "thì tôi tự thu nhỏ; video hãy quay ngắn hơn hoặc gửi qua Zalo.",
    "web.too_large": "Nội dung gửi lên quá lớn: tối đa {max}.",
    "web.upload_refused": (
        "Tệp này không nhận được. Chỉ nhận ảnh (JPEG, PNG, WebP), PDF, ghi âm và video."
    ),
    "web.upload_wrong_type": (
        "Tệp «{name}» không dùng làm minh chứng được: chỉ nhận ảnh, PDF, ghi âm và video. Nếu "
        "là văn bản, bạn chép nội dung rồi dán vào ô tin nhắn."
    ),
    "web.uploading": "đang gửi",
    "web.waiting_upload": "chờ gửi xong tệp…",
    "web.failed": "Chưa gửi được.",
    "web.retry": "Gửi lại",
    "web.upload_not_now": "Bây giờ chưa cần gửi tệp. Hãy gửi khi tôi hỏi minh chứng.",
    "web.upload_quota": "Hôm nay bạn đã gửi đủ {count} tệp. Ngày mai bạn gửi tiếp được.",
    "web.upload_failed": "Chưa gửi được tệp. Xin thử lại.",
}
