"""Texts only the Zalo channels use: the OA's phone form, alerts about the OA's token."""

TEXTS = {
    "zalo.phone_form_title": "Chia sẻ số điện thoại với Gương Sáng",
    "zalo.phone_form_subtitle": "Bấm để gửi số điện thoại Zalo của bạn, hoặc gõ số vào ô chat.",
    "alert.zalo_oa_token": (
        "Cảnh báo cho quản trị: Gương Sáng không làm mới được quyền gửi tin của Zalo OA, nên "
        "tin nhắn qua Zalo OA đang dừng. Hãy lấy cặp mã mới (Công cụ → API Explorer) và đặt "
        "vào ZALO_OA_REFRESH_TOKEN, rồi khởi động lại bot."
    ),
}
