"""Texts of the nomination conversation and of /my."""

TEXTS = {
    "nominate.intro": "Đề cử người tốt, việc tốt — tôi sẽ hỏi lần lượt từng ý, mỗi lần một câu. "
    "Gõ /quaylai để quay lại câu trước, /huy để huỷ.",
    "nominate.daily_cap": "Hôm nay bạn đã gửi {cap} đề cử, là số tối đa cho một ngày. Cảm ơn bạn "
    "rất nhiều! Mời bạn gửi tiếp từ ngày mai.",
    "nominate.daily_cap_draft": "Hôm nay bạn đã gửi đủ {cap} đề cử, là số tối đa cho một ngày. "
    "Đề cử này vẫn được giữ nguyên: từ ngày mai, bạn chọn Gửi để gửi đi.",
    "nominate.kept": "Tôi giữ câu chuyện ({chars} ký tự) và {files} tệp bạn vừa gửi cho đề cử "
    "này; bạn xem lại và sửa được trước khi gửi.",
    "nominate.name_no_letters": "Tên cần có chữ cái (không chỉ biểu tượng). Hãy gõ tên người "
    "được đề cử.",
    "nominate.name_one_word": "Hãy gõ cả họ và tên (ít nhất hai chữ), ví dụ: Nguyễn Thị Lan; "
    "nếu chỉ biết tên gọi, gõ như: bà Tư bán nước.",
    "nominate.ask_field_of_call": "Lĩnh vực của thành tích? Đợt phát động này nhận các lĩnh vực "
    "dưới đây.",
    "nominate.field_not_in_call": "Đợt phát động đã chọn không nhận lĩnh vực này. Mời bạn chọn "
    "một lĩnh vực của đợt.",
    "nominate.late_files_kept": "Đã nhận thêm {count} tệp gửi muộn cho đề cử đang soạn (tổng "
    "{total} tệp).",
    "nominate.late_files_full": "Tệp vừa tới không được thêm: đề cử đã đủ {max} tệp.",
    "nominate.ask_campaign": "Đề cử này thuộc đợt phát động nào?",
    "nominate.no_campaign": "Không thuộc đợt nào",
    "nominate.campaign_closed": "Đợt phát động này đã kết thúc, hãy chọn lại.",
    "nominate.ask_kind": "Bạn đề cử ai?",
    "nominate.ask_name.individual": "Họ và tên người được đề cử?",
    "nominate.ask_name.collective": "Tên tập thể được đề cử (ví dụ: Chi hội Phụ nữ thôn 3)?",
    "nominate.ask_name.household": "Tên hộ gia đình được đề cử (ví dụ: Hộ ông Nguyễn Văn Ba)?",
    "nominate.ask_birth_year": "Năm sinh của người được đề cử (ví dụ 1968)? Nếu không rõ, chọn "
    "Bỏ qua.",
    "nominate.birth_year_invalid": "Năm sinh cần là 4 chữ số, từ {min} đến {max}. Hoặc chọn "
    "Bỏ qua.",
    "nominate.ask_place": "Nơi sinh sống hoặc công tác (thôn/tổ dân phố, xã/phường)?",
    "nominate.ask_field": "Lĩnh vực của thành tích, việc làm tốt?",
    "nominate.ask_achievement": "Hãy kể thành tích, việc làm tốt (ít nhất {min} ký tự): làm gì, "
    "khi nào, ở đâu, giúp được ai, kết quả ra sao.",
    "nominate.ask_evidence": "Gửi minh chứng nếu có: ảnh, video, ghi âm (bạn có thể kể bằng "
    "giọng nói) hoặc tệp — tối đa {max} tệp. Gửi xong chọn Xong; không có thì chọn Bỏ qua.",
    "nominate.evidence_added": "Đã nhận {count}/{max} tệp. Gửi tiếp hoặc chọn Xong.",
    "nominate.evidence_full": "Đã đủ {max} tệp, không nhận thêm. Chọn Xong để tiếp tục.",
    "nominate.evidence_too_large": "Tệp quá lớn (tối đa {max_mb} MB), tôi không nhận tệp này.",
    "nominate.evidence_sticker": "Nhãn dán không dùng làm minh chứng được. Hãy gửi ảnh, video, "
    "ghi âm hoặc tệp.",
    "nominate.evidence_expected": "Ở bước này hãy gửi ảnh, video, ghi âm hoặc tệp; hoặc chọn "
    "Xong / Bỏ qua.",
    "nominate.ask_phone": "Số điện thoại liên hệ (của người được đề cử hoặc người biết rõ việc)? "
    "Không bắt buộc — chọn Bỏ qua nếu không có.",
    "nominate.phone_invalid": "Số điện thoại chưa đúng. Hãy gõ số Việt Nam, ví dụ 0912 345 678, "
    "hoặc chọn Bỏ qua.",
    "nominate.review": "Xem lại đề cử của bạn:\n\n{summary}\n\nBạn muốn gửi, sửa hay huỷ?",
    "nominate.summary": (
        "• Đợt phát động: {campaign}\n"
        "• Loại: {kind}\n"
        "• Tên: {name}\n"
        "{birth_year}"
        "• Nơi sinh sống/công tác: {place}\n"
        "• Lĩnh vực: {field}\n"
        "• Thành tích: {achievement}\n"
        "• Minh chứng: {evidence} tệp\n"
        "• Điện thoại liên hệ: {phone}\n"
        "• Đồng ý công khai: {consent}"
    ),
    "nominate.none": "(không có)",
    "nominate.summary.birth_year": "• Năm sinh: {year}",
    "nominate.ask_edit_field": "Bạn muốn sửa mục nào?",
    "nominate.submitted": "Đã gửi đề cử! Mã đề cử của bạn: {code}.\nNgười duyệt của {unit} sẽ "
    "xem trong bản tổng hợp sáng mai. Gõ /cuatoi để theo dõi trạng thái.",
    "nominate.choice.submit": "Gửi",
    "nominate.choice.edit": "Sửa",
    "nominate.choice.cancel": "Huỷ",
    "nominate.kind.individual": "Cá nhân",
    "nominate.kind.collective": "Tập thể",
    "nominate.kind.household": "Hộ gia đình",
    "nominate.field.labour": "Lao động sản xuất",
    "nominate.field.business": "Kinh doanh",
    "nominate.field.study": "Học tập",
    "nominate.field.work": "Công tác",
    "nominate.field.defence": "Huấn luyện, sẵn sàng chiến đấu",
    "nominate.field.good_deed": "Người tốt, việc tốt",
    "nominate.field.other": "Khác",
    "nominate.edit.campaign": "Đợt phát động",
    "nominate.edit.kind": "Loại đề cử",
    "nominate.edit.name": "Tên",
    "nominate.edit.birth_year": "Năm sinh",
    "nominate.edit.place": "Nơi sinh sống/công tác",
    "nominate.edit.field": "Lĩnh vực",
    "nominate.edit.achievement": "Thành tích",
    "nominate.edit.evidence": "Minh chứng",
    "nominate.edit.phone": "Điện thoại",
    "nominate.edit.consent": "Đồng ý công khai",
    "nominate.consent.no": "Chưa",
    "nominate.consent.given": "Đã đồng ý ({how})",
    "nominate.consent.guardian": "Người giám hộ {guardian} đã đồng ý ({how})",
    "my.empty": "Bạn chưa gửi đề cử nào. Gõ /decu để đề cử người tốt, việc tốt.",
    "my.header": "Các đề cử của bạn ({count}):",
    "my.line": "{code} — {name} — {status} ({date})",
    "my.more": "… và {more} đề cử cũ hơn.",
    "status.submitted": "Đã gửi, chờ duyệt",
    "status.needs_info": "Cần bổ sung",
    "status.answered": "Đã bổ sung, chờ duyệt",
    "status.approved": "Đã duyệt",
    "status.rejected": "Không duyệt",
    "status.forwarded": "Đã chuyển cấp trên",
    "status.merged": "Đã gộp",
}
