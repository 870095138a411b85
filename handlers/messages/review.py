"""Texts of reviewing: the card, decisions, notifications, answers, commendations, digests."""

TEXTS = {
    "review.card": (
        "Đề cử {code} — {status}\n"
        "• Người được đề cử: {name} ({kind})\n"
        "• Lĩnh vực: {field}\n"
        "• Nơi sinh sống/công tác: {place}\n"
        "• Thành tích: {achievement}\n"
        "• Người đề cử: {reporter} — {unit}\n"
        "• Ngày gửi: {date}\n"
        "• Minh chứng: {evidence} tệp\n"
        "• Đợt phát động: {campaign}\n"
        "• Cấp đang xét: {level}\n"
        "• Điểm theo tiêu chí: {score}"
    ),
    "review.card.no_criteria": "chưa có bộ tiêu chí cho lĩnh vực này",
    "review.card.not_scored": "chưa chấm ({count} tiêu chí)",
    "review.card.score": "{total}/{max} (đã chấm {scored}/{count} tiêu chí, có tính trọng số)",
    "review.card.history.needs_info": "❓ Đã hỏi thêm: {note}",
    "review.card.history.answer": "✅ Đã bổ sung: {note}",
    "review.card.history.forward": "⬆ Ý kiến cấp dưới khi chuyển lên: {note}",
    "review.card.duplicate": "⚠ Có thể trùng với đề cử {code} (cùng người, cùng xã/phường).",
    "review.card.waiting": "Ngoài đề cử này, còn {count} đề cử đang chờ duyệt trong phạm vi "
    "của bạn.",
    "review.card.last": "Đây là đề cử cuối cùng đang chờ duyệt trong phạm vi của bạn.",
    "review.choice.reply": "Trả lời",
    "review.choice.undo": "↩ Hoàn tác: {what}",
    "review.undo_label.approve": "duyệt {code}",
    "review.undo_label.reject": "không duyệt {code}",
    "review.undo_label.forward": "chuyển {code}",
    "review.undo_label.merge": "gộp {code}",
    "review.confirm.approve": "Duyệt đề cử {code} ({name})?\nNgười đề cử được báo sau {minutes} "
    "phút; trong lúc đó bạn hoàn tác được.",
    "review.confirm.reject": "Không duyệt đề cử {code} ({name}), lý do: {note}?\nNgười đề cử "
    "được báo sau {minutes} phút; trong lúc đó bạn hoàn tác được.",
    "review.confirm.forward": "Chuyển đề cử {code} ({name}) lên {level} xem xét, ý kiến: "
    "{note}?\nNgười đề cử được báo sau {minutes} phút; trong lúc đó bạn hoàn tác được.",
    "review.choice.confirm.approve": "Xác nhận duyệt",
    "review.choice.confirm.reject": "Xác nhận không duyệt",
    "review.choice.confirm.forward": "Xác nhận chuyển",
    "review.choice.back_to_card": "Quay lại thẻ đề cử",
    "review.held": "Người đề cử sẽ được báo lúc {at}. Nếu nhầm, chọn «↩ Hoàn tác» (hoặc gõ "
    "hoàn tác) trước giờ đó.",
    "review.choice.approve": "Duyệt",
    "review.choice.ask": "Cần bổ sung",
    "review.choice.reject": "Không duyệt",
    "review.choice.score": "Chấm điểm",
    "review.choice.forward": "Chuyển cấp trên",
    "review.choice.merge": "Gộp vào {code}",
    "review.choice.next": "Để sau, xem đề cử khác",
    "review.choice.stop": "Dừng duyệt",
    "review.choice.no_recommendation": "Không có ý kiến thêm",
    "review.choice.merge_yes": "Gộp",
    "review.choice.merge_no": "Không gộp",
    "review.choice.skip_criterion": "Bỏ qua tiêu chí này",
    "review.choice.done_scoring": "Xong, về thẻ đề cử",
    "review.not_found": "Không tìm thấy đề cử này.",
    "review.code_unknown": "Không có đề cử mã {code}. Hãy kiểm tra lại mã (ví dụ GS-2026-000123).",
    "review.out_of_scope": "Đề cử {code} không thuộc phạm vi bạn được duyệt.",
    "review.already_decided": "Đề cử {code} đã được xử lý rồi (trạng thái: {status}). Thao tác "
    "của bạn không được ghi nhận.",
    "review.not_waiting": "Đề cử {code} hiện không chờ duyệt (trạng thái: {status}).",
    "review.queue_empty": "Hiện không có đề cử nào chờ duyệt trong phạm vi của bạn.",
    "review.queue_done": "Đã hết đề cử chờ duyệt trong phạm vi của bạn. Cảm ơn bạn!",
    "review.queue_done_skipped": "Bạn đã xem hết lượt này. Còn {count} đề cử bạn để sau (hoặc "
    "chưa quyết định); gõ /duyet để xem lại.",
    "review.stopped": "Đã dừng duyệt. Gõ /duyet khi muốn duyệt tiếp.",
    "review.no_parent": "Đơn vị này không có cấp trên để chuyển lên.",
    "review.no_duplicate": "Không còn đề cử trùng để gộp.",
    "review.no_criteria": "Lĩnh vực này chưa có bộ tiêu chí ở đơn vị của bạn hay cấp trên, nên "
    "chưa chấm điểm được. Gõ /tieuchi để xem các bộ tiêu chí.",
    "review.no_note": "(không có ghi chú)",
    "review.ask_question": "Bạn cần người đề cử bổ sung gì? Hãy gõ câu hỏi (ví dụ: Xin gửi "
    "thêm ảnh giấy khen năm 2024). Gõ /quaylai để về thẻ đề cử.",
    "review.ask_reason": "Lý do không duyệt? Chọn một lý do hoặc gõ lý do của bạn.",
    "review.reason.evidence": "Thiếu minh chứng",
    "review.reason.achievement": "Thành tích chưa đủ tiêu chuẩn",
    "review.reason.scope": "Không thuộc phạm vi đơn vị",
    "review.reason.duplicate": "Trùng với đề cử khác",
    "review.ask_recommend": "Chuyển lên cấp trên. Ý kiến đề xuất của bạn (ví dụ: Đề nghị tặng "
    "giấy khen)? Gõ ý kiến hoặc chọn Không có ý kiến thêm.",
    "review.ask_merge": "Gộp đề cử {code} vào đề cử {into}? Minh chứng được chuyển sang {into}, "
    "người đề cử của cả hai được báo tin.",
    "review.ask_score": "Tiêu chí {n}/{count}: {name}\n(điểm tối đa {max}, trọng số {weight})\n"
    "Gõ số điểm từ 0 đến {max} (ví dụ {examples}).",
    "review.score_invalid": "Điểm cần là một số từ 0 đến {max} (ví dụ {examples}).",
    "review.score_examples": "{whole} hoặc {half}",
    "review.scored": "Đã chấm xong các tiêu chí.",
    "review.done.approve": "Đã duyệt đề cử {code}. Ghi khen thưởng: gõ /khenthuong {code}.",
    "review.done.ask": "Đã gửi câu hỏi cho người đề cử {code}. Khi họ trả lời, đề cử quay lại "
    'hàng chờ với dấu "đã bổ sung".',
    "review.done.reject": "Đã ghi không duyệt đề cử {code}.",
    "review.done.forward": "Đã chuyển đề cử {code} lên {level}.",
    "review.done.merge": "Đã gộp đề cử {code} vào {into}.",
    "review.merge_target_gone": "Không gộp được: đề cử {code} đã {status}.",
    "review.notify.approve": "Tin vui: đề cử {code} ({name}) của bạn đã được duyệt. Cảm ơn bạn "
    "đã phát hiện người tốt, việc tốt!",
    "review.notify.ask": "Người duyệt cần bạn bổ sung cho đề cử {code} ({name}):\n\n"
    '"{note}"\n\nBạn cứ nhắn trả lời ngay sau tin này (chữ, ảnh, video hoặc ghi âm đều '
    "được), hoặc chọn Trả lời. Sau này vẫn trả lời được bằng lệnh /bosung {code}.",
    "review.notify.reject": "Đề cử {code} ({name}) của bạn chưa được duyệt. Lý do: {note}.",
    "review.notify.forward": "Đề cử {code} ({name}) của bạn đã được chuyển lên {level} xem xét.",
    "review.notify.merge": "Đề cử {code} của bạn trùng với đề cử {into} ({name}) nên đã được gộp "
    "vào {into}. Minh chứng của bạn được giữ lại; bạn sẽ được báo kết quả của {into}.",
    "review.notify.merged_into": "Một đề cử khác về {name} ({code}) đã được gộp vào đề cử {into} "
    "của bạn, kèm minh chứng của họ.",
    "review.notify.answered": "Người đề cử đã bổ sung cho đề cử {code} ({name}). Gõ /duyet {code} "
    "để xem.",
    "reminder.sla": "Nhắc việc: {count} đề cử đã chờ duyệt quá {days} ngày: {codes}\n"
    "Gõ /duyet để duyệt.",
    "reminder.draft": "Bạn còn một đề cử đang soạn dở. Gõ /trogiup để xem lại câu hỏi đang chờ "
    "và làm tiếp, hoặc /huy để huỷ bản nháp.",
    "commend.not_approved": "Chỉ ghi khen thưởng cho đề cử đã duyệt. Đề cử {code} đang ở trạng "
    "thái: {status}.",
    "commend.ask_code": "Ghi khen thưởng cho đề cử nào? Gõ mã đề cử (ví dụ GS-2026-000123).",
    "commend.ask_form": "Hình thức khen thưởng cho đề cử {code}? Chọn hoặc gõ.",
    "commend.form.certificate": "Giấy khen",
    "commend.form.merit": "Bằng khen",
    "commend.form.title": "Danh hiệu thi đua",
    "commend.form.letter": "Thư khen",
    "commend.ask_number": "Số quyết định khen thưởng (ví dụ 125/QĐ-UBND)?",
    "commend.ask_date": "Ngày ký quyết định (ngày/tháng/năm, ví dụ 15/11/2026)?",
    "commend.date_invalid": "Ngày chưa đúng. Hãy gõ theo dạng ngày/tháng/năm, ví dụ 15/11/2026, "
    "không sau hôm nay.",
    "commend.ask_issuer": "Cơ quan ban hành quyết định (ví dụ UBND xã An Bình)?",
    "commend.confirm": "Kiểm tra lại trước khi lưu:\n• Đề cử: {code}\n• Hình thức: {form}\n"
    "• Số quyết định: {number}\n• Ngày: {date}\n• Cơ quan ban hành: {issuer}",
    "commend.choice.save": "Lưu",
    "commend.notify": "Chúc mừng: người được bạn đề cử ({name}, {code}) đã được khen thưởng: "
    "{form}.",
    "commend.saved": "Đã lưu khen thưởng cho đề cử {code}.",
    "criteria.unit": "Bộ tiêu chí áp dụng ở {unit}:",
    "criteria.inherited": "(theo bộ tiêu chí của {unit})",
    "criteria.field": "▸ {field} {origin}",
    "criteria.line": "– {name}: tối đa {max} điểm, trọng số {weight}",
    "criteria.none": "(chưa có bộ tiêu chí nào; quản trị viên nhập bằng tệp CSV)",
    "digest.header": "📋 Tổng hợp đề cử ngày {date}: {waiting} đề cử đang chờ duyệt trong "
    "phạm vi của bạn.",
    "digest.new": "🆕 Mới từ lần tổng hợp trước ({count}):",
    "digest.overdue": "⏰ Chờ quá {days} ngày ({count}):",
    "digest.answered": "✅ Đã được bổ sung, chờ duyệt lại ({count}):",
    "digest.line": "{n}. {code} · {name} · {field} · {unit} · {waited}",
    "digest.waited": "chờ {days} ngày",
    "digest.waited_today": "vào hàng chờ hôm nay",
    "digest.past_sla": "(quá hạn)",
    "digest.choice": "Duyệt ngay {n} · {name}",
    "digest.more": "… và {more} đề cử khác",
    "digest.nothing_new": "Không có đề cử mới hay quá hạn.",
    "digest.open": "Chọn «Duyệt ngay» (hoặc gõ số thứ tự, ví dụ 1) để mở ngay đề cử đó. Gõ "
    "/duyet để duyệt lần lượt từ đề cử chờ lâu nhất.",
    "digest.start": "Gõ /duyet để bắt đầu duyệt, hoặc /duyet kèm mã để xem một đề cử (ví dụ "
    "/duyet GS-2026-000123).",
    "digest.see_all": "Xem đủ {waiting} đề cử: gõ /duyet để duyệt lần lượt, hoặc /xuat để nhận "
    "bảng Excel của cả phạm vi.",
    "digest.empty": "Hiện không có đề cử nào chờ duyệt trong phạm vi của bạn.",
    "review.help": (
        "Dành cho người duyệt:\n"
        "• /duyet — duyệt đề cử chờ lâu nhất; /duyet kèm mã để xem một đề cử\n"
        "• /tonghop — bản tổng hợp hôm nay\n"
        "• /tieuchi — các bộ tiêu chí chấm điểm\n"
        "• /khenthuong kèm mã — ghi khen thưởng cho đề cử đã duyệt\n"
        "• /web — liên kết mở trang quản trị trên máy tính (danh sách đề cử, đơn vị, thống kê)"
    ),
    "common.menu.review": "Duyệt đề cử",
    "common.menu.digest": "Tổng hợp hôm nay",
}
