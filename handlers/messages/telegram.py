"""Texts only the Telegram adapter shows: its keyboards, its command menu, group chats."""

TEXTS = {
    "telegram.share_phone": "📱 Gửi số điện thoại của tôi",
    "telegram.group_private": "Gương Sáng chỉ trò chuyện riêng, để giữ kín thông tin của bạn. "
    "Mời bạn bấm vào đường dẫn sau rồi bấm Bắt đầu để tiếp tục: {link}",
    "telegram.media_elsewhere": "({count} tệp minh chứng không xem được trên Telegram.)",
    "telegram.media_refused": "(Một tệp minh chứng không gửi lại được trên Telegram.)",
    "telegram.command.start": "Bắt đầu, hoặc tham gia bằng mã mời",
    "telegram.command.decu": "Đề cử người tốt, việc tốt",
    "telegram.command.cuatoi": "Xem các đề cử của tôi",
    "telegram.command.taikhoan": "Tài khoản, mã đăng nhập điện thoại mới",
    "telegram.command.dulieu": "Dữ liệu của tôi: xem, sửa, tải về, rút đồng ý",
    "telegram.command.quaylai": "Quay lại bước trước",
    "telegram.command.huy": "Huỷ việc đang làm",
    "telegram.command.trogiup": "Hướng dẫn sử dụng",
}
