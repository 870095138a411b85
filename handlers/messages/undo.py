"""Texts of undoing a decision (hoàn tác)."""

TEXTS = {
    "undo.nothing": "Không có quyết định nào của bạn còn hoàn tác được (chỉ hoàn tác được trong "
    "vài phút sau khi quyết định, trước khi người liên quan được báo).",
    "undo.too_late": "Không hoàn tác được nữa ({label}): đã quá thời gian, người liên quan đã "
    "hoặc sắp được báo.",
    "undo.acted_on": "Không hoàn tác được ({label}): đã có người xử lý tiếp sau quyết định của "
    "bạn.",
    "undo.unknown": "Không tìm thấy quyết định này của bạn.",
    "undo.progress": "Đã hoàn tác: không gửi tin nào.",
    "undo.done.approve": "Đã hoàn tác việc duyệt {label}. Người đề cử không được báo gì; đề cử "
    "trở lại hàng chờ.",
    "undo.done.reject": "Đã hoàn tác việc không duyệt {label}. Người đề cử không được báo gì; "
    "đề cử trở lại hàng chờ.",
    "undo.done.forward": "Đã hoàn tác việc chuyển {label} lên cấp trên. Người đề cử không được "
    "báo gì; đề cử trở lại hàng chờ của bạn.",
    "undo.done.merge": "Đã hoàn tác việc gộp {label}: minh chứng đã trả về, đề cử trở lại hàng "
    "chờ. Không ai được báo gì.",
    "undo.done.publish": "Đã hoàn tác bài vinh danh «{label}»: bài đã gỡ khỏi trang vinh danh, "
    "kênh công khai không đăng.",
    "undo.done.broadcast": "Đã hoàn tác thông báo «{label}»: không tin nào được gửi đi.",
    "undo.done.call": "Đã hoàn tác đợt phát động «{label}»: đợt đã xoá, không tin nào được gửi đi.",
    "undo.done.event": "Đã hoàn tác sự kiện «{label}»: sự kiện đã xoá, không tin mời nào được "
    "gửi đi.",
}
