"""Texts of answering a reviewer's question (/bosung)."""

TEXTS = {
    "answer.taking_reply": "Tôi ghi tin này làm phần trả lời bổ sung cho đề cử {code} ({name}).",
    "answer.no_such_question": "Đề cử {code} không có câu hỏi nào đang chờ bạn trả lời.",
    "answer.none_open": "Hiện không có câu hỏi bổ sung nào đang chờ bạn trả lời.",
    "answer.pick": "Bạn muốn trả lời bổ sung cho đề cử nào?",
    "answer.already_closed": "Câu hỏi này đã được đóng (đề cử đã được xử lý), không cần trả "
    "lời nữa.",
    "answer.ask": 'Trả lời bổ sung cho đề cử {code} ({name}).\nNgười duyệt hỏi: "{question}"\n\n'
    "Hãy gõ câu trả lời và/hoặc gửi ảnh, video, ghi âm, tệp. Gửi xong chọn Gửi trả lời. Gõ /huy "
    "để huỷ.",
    "answer.choice.send": "Gửi trả lời",
    "answer.files_full": "Đã đủ {max} tệp, không nhận thêm.",
    "answer.received": "Đã nhận ({texts} đoạn chữ, {files} tệp). Gửi thêm, hoặc chọn Gửi trả lời.",
    "answer.sent": "Đã gửi phần bổ sung cho đề cử {code}. Người duyệt sẽ xem lại. Cảm ơn bạn!",
}
