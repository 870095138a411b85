"""Texts every flow shares: help, cancel, back, errors, the main menu."""

TEXTS = {
    "common.welcome_joined": (
        "Xin chào {name}! Đây là Gương Sáng — nơi đề cử người tốt, việc tốt và gương điển hình "
        "tiên tiến.\nBạn muốn làm gì?"
    ),
    "common.welcome_stranger": (
        "Xin chào! Đây là Gương Sáng — nơi đoàn viên, hội viên đề cử người tốt, việc tốt và "
        "gương điển hình tiên tiến.\n\nĐể bắt đầu, hãy gõ mã mời mà cán bộ đơn vị đã gửi cho bạn "
        "(ví dụ: ABCD2345EFGH).\nĐã dùng Gương Sáng ở ứng dụng khác? Gõ mã đăng nhập lấy bằng "
        "lệnh /taikhoan ở đó."
    ),
    "common.menu_prompt": "Bạn muốn làm gì tiếp?",
    "common.help": (
        "Hướng dẫn sử dụng Gương Sáng:\n"
        "• /decu — đề cử một người tốt, tập thể hoặc hộ gia đình\n"
        "• /cuatoi — xem các đề cử của bạn và trạng thái\n"
        "• /bosung — trả lời khi người duyệt hỏi thêm về đề cử của bạn\n"
        "• /taikhoan — các ứng dụng đã liên kết; lấy mã đăng nhập cho điện thoại, ứng dụng khác\n"
        "• /thietbi — các trình duyệt đang đăng nhập; đăng xuất\n"
        "• /dulieu — dữ liệu Gương Sáng lưu về bạn: xem, sửa, tải về, rút lại đồng ý\n"
        "• /xoadulieu — xoá dữ liệu của bạn\n"
        "• /quaylai — quay lại bước trước\n"
        "• /huy — huỷ việc đang làm\n"
        "• /trogiup — xem hướng dẫn này\n\n"
        "Khi có lựa chọn, bạn bấm nút hoặc gõ số thứ tự (1, 2, 3…) hay gõ chữ, có dấu hoặc "
        "không dấu đều được."
    ),
    "common.help_in_flow": "Bạn đang ở giữa một việc. Trả lời câu hỏi trên, hoặc gõ /quaylai để "
    "quay lại, /huy để huỷ.",
    "common.cancelled": "Đã huỷ. Những gì bạn đã gửi trước đây vẫn được giữ nguyên.",
    "common.nothing_to_cancel": "Hiện không có việc gì đang làm để huỷ.",
    "common.nothing_to_go_back": "Bạn đang ở bước đầu tiên, không quay lại được nữa. Gõ /huy "
    "nếu muốn huỷ.",
    "common.not_understood": "Xin lỗi, tôi chưa hiểu ý bạn.",
    "common.not_an_option": "Lựa chọn này không có trong danh sách. Hãy bấm một nút hoặc gõ số "
    "thứ tự.",
    "common.stale_button": "Nút này đã cũ, không còn dùng được. Hãy trả lời câu hỏi mới nhất "
    "bên dưới.",
    "common.unsupported_message": "Xin lỗi, tôi chưa đọc được loại tin nhắn này (nhãn dán, "
    "danh thiếp, liên kết, bình chọn…). Hãy gõ chữ, hoặc gửi ảnh, video, ghi âm; giấy tờ thì "
    "chụp ảnh hoặc gửi tệp PDF.",
    "common.expected_text": "Ở bước này tôi cần bạn gõ chữ.",
    "common.expected_choice": "Ở bước này hãy chọn một trong các mục bên dưới.",
    "common.not_joined": "Bạn chưa tham gia đơn vị nào. Hãy gõ mã mời mà cán bộ đơn vị đã gửi "
    "cho bạn.",
    "common.no_permission": "Bạn không có quyền dùng chức năng này.",
    "common.unknown_command": "Không có lệnh {command}. Gõ /trogiup để xem các lệnh.",
    "common.too_fast": "Bạn đang gửi tin nhắn nhanh quá. Xin chờ một phút rồi gửi tiếp; các tin "
    "vừa gửi trong lúc này sẽ không được xử lý.",
    "common.error": "Xin lỗi, đã có lỗi khi xử lý tin nhắn của bạn. Dữ liệu của bạn vẫn được "
    "giữ nguyên. Bạn hãy thử lại sau ít phút.",
    "common.draft_expired": "Bản nháp trước của bạn đã quá lâu không dùng nên đã được xoá.",
    "common.draft_unreadable": "Xin lỗi, việc bạn đang làm dở không tiếp tục được sau khi Gương "
    "Sáng được nâng cấp. Những gì bạn đã gửi trước đây vẫn được giữ nguyên; mời bạn bắt đầu lại "
    "việc đó.",
    "common.too_long": "Nội dung quá dài: tối đa {max} ký tự (bạn gửi {got}).",
    "common.too_short": "Nội dung quá ngắn: cần ít nhất {min} ký tự.",
    "common.location_received": "Tôi đã nhận vị trí, nhưng ở bước này tôi cần bạn gõ chữ.",
    "common.resumed": "Mời bạn tiếp tục việc đang làm dở:",
    "common.which_meant": "Bạn vừa gõ «{text}». Ý bạn là gì?",
    "common.meant.cancel": "Huỷ việc đang làm",
    "common.meant.back": "Quay lại câu trước",
    "common.meant.help": "Xem hướng dẫn",
    "common.meant.undo": "Hoàn tác quyết định vừa làm",
    "common.meant.answer": "Ghi «{text}» làm câu trả lời",
    "common.too_long_held": "Nội dung dài {got} ký tự, ở bước này nhận tối đa {max} ký tự. Tôi "
    "vẫn giữ nguyên bài của bạn, bạn không phải gõ lại.\nBạn có thể giữ phần đầu ({kept} ký tự, "
    "kết thúc ở: «…{end}»), hoặc tự gửi một bản ngắn hơn.",
    "common.choice.keep_first": "Giữ phần đầu",
    "common.choice.retype": "Tôi sẽ gõ lại",
    "common.choice.name_ok": "Đúng, ghi là {name}",
    "common.confirm_name": "Tôi sẽ ghi tên là: «{name}». Đúng không? (Nếu gõ được có dấu thì "
    "bạn gõ lại giúp tôi.)",
    "common.kept": "Tôi đã nhận và giữ lại tin của bạn: «{what}».\nBạn muốn dùng tin này vào "
    "việc gì?",
    "common.kept.files": "{count} tệp",
    "common.kept.answer": "Trả lời người duyệt về {code}",
    "common.kept.nominate": "Đề cử người tốt với nội dung này",
    "common.kept.drop": "Không dùng, xem menu chính",
    "common.kept_which": "Tôi đã nhận «{what}». Người duyệt vừa hỏi bạn một câu, và bạn cũng "
    "đang làm dở một việc. Tin này là để:",
    "common.kept.for_question": "Trả lời người duyệt",
    "common.kept.for_flow": "Dùng cho việc đang làm",
    "common.dropped": "Đã bỏ tin đó. Bạn muốn làm gì tiếp?",
    "common.menu.campaign": "Đợt phát động",
    "common.menu.broadcast": "Gửi thông báo",
    "common.menu.event": "Sự kiện",
    "common.menu.publish": "Vinh danh",
    "common.menu.stats": "Thống kê",
    "common.menu.nominate": "Đề cử người tốt",
    "common.menu.my": "Đề cử của tôi",
    "common.menu.help": "Hướng dẫn",
    "common.choice.skip": "Bỏ qua",
    "common.choice.done": "Xong",
    "common.choice.cancel": "Huỷ",
    "common.choice.back": "Quay lại",
}
