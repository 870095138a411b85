"""Texts of /taikhoan (linked accounts, sign-in codes) and /thietbi (signed-in browsers)."""

TEXTS = {
    "accounts.channel.web": "Trình duyệt web ({device})",
    "accounts.channel.telegram": "Telegram",
    "accounts.channel.zalo_oa": "Zalo (Official Account)",
    "accounts.channel.zalo_bot": "Zalo Bot",
    "accounts.device_unknown": "không rõ thiết bị",
    "accounts.this_one": "(đang dùng)",
    "accounts.header": "Tài khoản của {name} ({count}):",
    "accounts.line": "{n}. {account} — dùng gần nhất {used} {here}",
    "accounts.pending": (
        "⚠️ {account} xin liên kết với bạn lúc {at}. Chỉ xác nhận nếu đúng là bạn vừa gõ mã."
    ),
    "accounts.choice.confirm": "Xác nhận {account}",
    "accounts.choice.refuse": "Từ chối {account}",
    "accounts.choice.link": "Liên kết ứng dụng khác / đăng nhập web",
    "accounts.choice.unlink": "Gỡ một tài khoản",
    "accounts.choice.done": "Xong",
    "accounts.choice.unlink_yes": "Gỡ tài khoản",
    "accounts.ask_pick": "Gỡ tài khoản nào?",
    "accounts.confirm": (
        "Gỡ {account}? Tài khoản đó sẽ không còn dùng được các đề cử và quyền của bạn."
    ),
    "accounts.confirm_self": (
        "Gỡ chính tài khoản đang dùng ({account})? Sau đó ở đây bạn không còn dùng được các đề cử "
        "và quyền của mình; các tài khoản khác vẫn dùng bình thường."
    ),
    "accounts.unlinked": "Đã gỡ {account}. Các tài khoản khác của bạn đã được báo.",
    "accounts.unlinked_self": (
        "Đã gỡ tài khoản này. Các tài khoản khác của bạn vẫn dùng bình thường."
    ),
    "accounts.unlinked_told": (
        "Thông báo bảo mật: {account} vừa được gỡ khỏi tài khoản Gương Sáng của bạn."
    ),
    "accounts.last_one": (
        "Đây là tài khoản duy nhất của bạn nên không gỡ được. Hãy liên kết ứng dụng khác trước."
    ),
    "accounts.request_gone": "Việc này không còn nữa (đã xử lý hoặc đã hết hạn).",
    "accounts.confirmed": "Đã xác nhận: {account} nay là tài khoản của bạn.",
    "accounts.refused": "Đã từ chối liên kết {account}.",
    "accounts.refused_told": (
        "Thông báo bảo mật: yêu cầu liên kết {account} đã bị từ chối. Nếu không phải bạn từ chối, "
        "hãy gõ /taikhoan để xem lại."
    ),
    "devices.header": "Các trình duyệt đang đăng nhập ({count}):",
    "devices.line": "{n}. {device} — đăng nhập {since}, dùng gần nhất {used} {here}",
    "devices.none": "Bạn chưa đăng nhập trên trình duyệt web nào.",
    "devices.choice.sign_out": "Đăng xuất thiết bị {n}",
    "devices.choice.others": "Đăng xuất mọi thiết bị khác",
    "devices.choice.admin": "Đăng xuất một người khỏi mọi thiết bị",
    "devices.choice.everywhere": "Đăng xuất mọi thiết bị",
    "devices.signed_out": "Đã đăng xuất {count} thiết bị.",
    "devices.signed_out_here": (
        "Đã đăng xuất thiết bị này. Để đăng nhập lại, lấy mã bằng /taikhoan trên ứng dụng khác."
    ),
    "devices.signed_out_remotely": (
        "Thiết bị này vừa được đăng xuất từ một thiết bị khác của bạn."
    ),
    "devices.ask_who": "Gõ tên (hoặc một phần tên) người cần đăng xuất, trong đơn vị bạn quản trị:",
    "devices.nobody": "Không có ai tên như vậy trong đơn vị bạn quản trị. Gõ lại tên khác:",
    "devices.too_many_matches": "Có {count} người khớp. Hãy gõ tên đầy đủ hơn:",
    "devices.ask_pick": "Chọn người cần đăng xuất:",
    "devices.confirm_everywhere": (
        "Đăng xuất {person} khỏi mọi trình duyệt web? Các mã đăng nhập chưa dùng của người này "
        "cũng bị huỷ. Tài khoản Zalo, Telegram vẫn dùng bình thường."
    ),
    "devices.everywhere_done": "Đã đăng xuất {count} thiết bị. Việc này đã được ghi lại.",
    "devices.signed_out_by_admin": (
        "Thông báo bảo mật: quản trị viên đơn vị vừa đăng xuất bạn khỏi mọi trình duyệt web. "
        "Để dùng web lại, lấy mã đăng nhập bằng /taikhoan."
    ),
}
