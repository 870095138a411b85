"""Texts the channel adapters add when they degrade what a platform cannot show."""

TEXTS = {
    "render.menu_hint": "(Trả lời bằng số thứ tự hoặc gõ chữ)",
}

# The local web chat page's own labels.
TEXTS |= {
    "web.title": "Gương Sáng — trò chuyện thử",
    "web.pick_person": "— chọn người đã có —",
    "web.new_person": "hoặc gõ tên người mới",
    "web.enter": "Vào",
    "web.type_here": "Nhập tin nhắn…",
    "web.send": "Gửi",
    "web.attach": "Gửi ảnh hoặc tệp",
    "web.share_phone": "Chia sẻ số điện thoại",
    "web.phone_prompt": "Số điện thoại của bạn:",
}
