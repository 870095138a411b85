"""Texts of personal data: consents, /dulieu (see, correct, download, withdraw), /xoadulieu,
what a member who withdrew consent is told, and what replaces erased or stripped data."""

TEXTS = {
    # The member's consent: purposes, retention periods, platforms (version in
    # handlers/consent_texts.py: a new wording is a new version).
    "consent.member_text": (
        "Gương Sáng (của Ủy ban Mặt trận Tổ quốc và các đoàn thể) lưu họ tên, số điện thoại "
        "(nếu bạn cho), đơn vị, vai trò của bạn cùng các đề cử và minh chứng bạn gửi, để: "
        "(1) ghi nhận đề cử của bạn; (2) báo cho bạn kết quả xét duyệt và câu hỏi của người "
        "duyệt; (3) gửi cho bạn thông báo, lời mời, nhắc việc của đơn vị. Chỉ cán bộ có thẩm "
        "quyền trong đơn vị của bạn và cấp trên được xem.\n"
        "Thời hạn lưu: nội dung tin nhắn giữa bạn và bot được xoá sau {message_days} ngày; "
        "đề cử đang viết dở bị bỏ sau {draft_days} ngày; minh chứng của đề cử không được duyệt "
        "bị xoá sau {evidence_days} ngày; tệp tải về được xoá khỏi máy chủ sau {export_hours} "
        "giờ; thông tin của bạn được giữ cho đến khi bạn xoá. Đề cử bạn đã gửi là hồ sơ của "
        "đơn vị và được giữ lại.\n"
        "Dữ liệu đi qua ứng dụng bạn dùng để trò chuyện: Zalo (Công ty VNG, tại Việt Nam), "
        "Telegram (nền tảng nước ngoài, máy chủ ở ngoài Việt Nam) hoặc trang web của đơn vị.\n"
        "Bạn có thể xem, sửa, tải về dữ liệu của mình và rút lại đồng ý bằng lệnh /dulieu, "
        "xoá dữ liệu bằng /xoadulieu, bất cứ lúc nào."
    ),
    # The nominee's consent to publication (shown to the nominator and the official).
    "consent.nominee_text": (
        "Tôi đồng ý để Gương Sáng công khai họ tên, địa phương hoặc đơn vị, lĩnh vực, câu "
        "chuyện thành tích và ảnh của tôi do người đề cử gửi: trên trang vinh danh (trang web "
        "công khai), trên thẻ ảnh để chia sẻ và trên kênh Telegram công khai của đơn vị "
        "(Telegram là nền tảng nước ngoài). Tôi có thể rút lại sự đồng ý bất cứ lúc nào qua "
        "cán bộ đơn vị; khi đó bài sẽ được gỡ."
    ),
    # The nominee's consent, as vouched for and as checked.
    "consent.ask_method": (
        "Người được đề cử đã đồng ý cho công khai chưa?\n\n"
        "Họ cần đồng ý với nội dung sau (phiên bản {version}):\n«{text}»\n\n"
        "{minor}Họ đồng ý bằng cách nào?"
    ),
    "consent.minor_note": (
        "Người được đề cử chưa đủ 16 tuổi (theo năm sinh): cần cha, mẹ hoặc người giám hộ "
        "đồng ý thay."
    ),
    "consent.method.in_person": "Đồng ý trực tiếp với tôi",
    "consent.method.phone": "Đồng ý qua điện thoại",
    "consent.method.paper": "Đồng ý bằng giấy có chữ ký (gửi ảnh)",
    "consent.method.none": "Chưa đồng ý / chưa hỏi",
    "consent.ask_guardian": (
        "Họ tên và quan hệ của người giám hộ đã đồng ý (ví dụ: Nguyễn Văn Bình, bố)."
    ),
    "consent.ask_paper": "Gửi ảnh chụp giấy đồng ý đã ký (rõ chữ ký và ngày).",
    "consent.paper_expected": "Hãy gửi ảnh chụp giấy đồng ý đã ký, hoặc gõ /quaylai.",
    "consent.minor_ask_again": (
        "Với năm sinh này, người được đề cử chưa đủ 16 tuổi: cần hỏi lại sự đồng ý của cha, mẹ "
        "hoặc người giám hộ."
    ),
    "consent.record": (
        "• Phiên bản {version}: {who}, {method}; người xác nhận: {vouched}; lúc {at}"
    ),
    "consent.by_nominee": "người được đề cử đồng ý",
    "consent.by_guardian": "người giám hộ {guardian} đồng ý thay",
    "consent.confirmed": "↳ Cán bộ {who} đã kiểm tra trước khi đăng, lúc {at}",
    "consent.withdrawn_on": "↳ Đã rút lại lúc {at}",
    "consent.in_force": "Bạn đang đồng ý cho Gương Sáng lưu thông tin. Xem chi tiết: /dulieu.",
    "consent.ask_again": "Đồng ý lưu thông tin cá nhân\n\n{consent}\n\nBạn có đồng ý không?",
    "consent.agreed_again": (
        "Cảm ơn bạn. Đã ghi nhận bạn đồng ý lại; bạn dùng Gương Sáng như trước."
    ),
    "consent.still_withdrawn": (
        "Bạn vẫn chưa đồng ý, nên Gương Sáng tiếp tục tạm dừng mọi việc với bạn. Khi nào muốn, "
        "gõ /dongy. Xem dữ liệu: /dulieu. Xoá dữ liệu: /xoadulieu."
    ),
    "consent.withdrawn_done": (
        "Đã ghi nhận bạn rút lại đồng ý lúc {at}. Từ bây giờ Gương Sáng không gửi cho bạn thông "
        "báo, lời mời, nhắc việc, bản tổng hợp hay kết quả xét duyệt nào nữa (các tin đang chờ "
        "gửi đã được huỷ), và bạn không dùng được các chức năng khác cho đến khi đồng ý lại. "
        "Thông tin của bạn vẫn được giữ; muốn xoá hẳn: /xoadulieu. Đồng ý lại: /dongy."
    ),
    "consent.gate": (
        "Bạn đã rút lại đồng ý cho Gương Sáng lưu thông tin (lúc {at}), nên bot tạm dừng mọi "
        "việc với bạn. Bạn có thể đồng ý lại, xem dữ liệu của mình hoặc xoá dữ liệu."
    ),
    "consent.choice.again": "Đồng ý lại",
    "consent.choice.mydata": "Xem dữ liệu của tôi",
    "consent.choice.erase": "Xoá dữ liệu của tôi",
    # /dulieu
    "mydata.none": "(không có)",
    "mydata.overview": (
        "Dữ liệu Gương Sáng đang lưu về bạn\n\n"
        "Họ tên: {name}\n"
        "Số điện thoại: {phone}\n"
        "Tham gia từ: {joined}\n\n"
        "Tài khoản đã liên kết:\n{accounts}\n\n"
        "Vai trò:\n{roles}\n\n"
        "Đồng ý lưu thông tin:\n{consents}\n\n"
        "Đề cử bạn đã gửi ({count}):\n{nominations}\n"
        "Minh chứng bạn đã gửi: {evidence} tệp\n\n"
        "Việc đang làm dở:\n{drafts}\n\n"
        "Trình duyệt web đã đăng nhập: {devices} (đang dùng: {live})\n"
        "Lời mời sự kiện đã trả lời: {rsvps}\n"
        "Tin nhắn của bạn còn lưu nguyên văn: {messages} (nội dung được xoá sau {message_days} "
        "ngày)\n"
        "Tệp bạn đã tải lên qua trình duyệt web: {uploads} (tệp không dùng cho đề cử nào được "
        "xoá sau {upload_days} ngày)\n"
        "Mã đăng nhập chưa dùng: {codes}"
    ),
    "mydata.account": "• {app}, từ {since}",
    "mydata.role": "• {role} — {unit} (từ {since})",
    "mydata.consent_given": "• Phiên bản {version}, đồng ý lúc {given} — đang có hiệu lực",
    "mydata.consent_withdrawn": (
        "• Phiên bản {version}, đồng ý lúc {given} — đã rút lại lúc {withdrawn}"
    ),
    "mydata.nomination": "• {code} — {name} — {status}",
    "mydata.draft": "• {flow} trên {app}, sửa lần cuối {at}",
    "mydata.flow.nominate": "Đề cử đang viết",
    "mydata.flow.answer": "Trả lời bổ sung",
    "mydata.flow.held": "Tin nhắn bạn gửi, đang chờ bạn chọn dùng vào việc gì",
    "mydata.choice.name": "Sửa họ tên",
    "mydata.choice.phone": "Sửa số điện thoại",
    "mydata.choice.as_json": "Tải về (tệp JSON)",
    "mydata.choice.as_xlsx": "Tải về (tệp Excel)",
    "mydata.choice.withdraw": "Rút lại đồng ý",
    "mydata.choice.agree": "Đồng ý lại",
    "mydata.choice.erase": "Xoá dữ liệu của tôi",
    "mydata.choice.remove_phone": "Xoá số điện thoại",
    "mydata.choice.withdraw_yes": "Rút lại đồng ý",
    "mydata.ask_name": "Gõ họ và tên đúng của bạn (ví dụ: Nguyễn Thị Lan).",
    "mydata.name_saved": "Đã sửa họ tên thành: {name}.",
    "mydata.ask_phone": ("Gõ số điện thoại mới, bấm nút chia sẻ số, hoặc chọn Xoá số điện thoại."),
    "mydata.phone_saved": "Đã lưu số điện thoại mới.",
    "mydata.phone_removed": "Đã xoá số điện thoại của bạn.",
    "mydata.ask_withdraw": (
        "Rút lại đồng ý thì: Gương Sáng ngừng ngay mọi thông báo, lời mời, nhắc việc, bản tổng "
        "hợp và kết quả xét duyệt gửi cho bạn (kể cả các tin đang chờ gửi); bạn không dùng "
        "được các chức năng khác cho đến khi đồng ý lại. Thông tin của bạn vẫn được giữ (muốn "
        "xoá hẳn thì dùng /xoadulieu). Bạn chắc chắn muốn rút lại?"
    ),
    "mydata.download_ready": (
        "Đây là toàn bộ dữ liệu Gương Sáng lưu về bạn. Tệp được xoá khỏi máy chủ sau {hours} "
        "giờ; hãy lưu về máy nếu cần."
    ),
    "mydata.download_unavailable": "Hiện không tạo được tệp tải về. Bạn thử lại sau nhé.",
    "mydata.sheet.profile": "Thông tin",
    "mydata.sheet.field": "Mục",
    "mydata.sheet.value": "Giá trị",
    "mydata.sheet.name": "Họ tên",
    "mydata.sheet.phone": "Số điện thoại",
    "mydata.sheet.joined": "Tham gia từ",
    "mydata.sheet.messages": "Tin nhắn còn lưu nguyên văn",
    "mydata.sheet.uploads": "Tệp đã tải lên qua trình duyệt web",
    "mydata.sheet.codes": "Mã đăng nhập chưa dùng",
    "mydata.sheet.accounts": "Tài khoản",
    "mydata.sheet.app": "Ứng dụng",
    "mydata.sheet.since": "Từ",
    "mydata.sheet.last": "Lần cuối",
    "mydata.sheet.roles": "Vai trò",
    "mydata.sheet.role": "Vai trò",
    "mydata.sheet.unit": "Đơn vị",
    "mydata.sheet.consents": "Đồng ý",
    "mydata.sheet.version": "Phiên bản",
    "mydata.sheet.given": "Đồng ý lúc",
    "mydata.sheet.withdrawn": "Rút lại lúc",
    "mydata.sheet.nominations": "Đề cử",
    "mydata.sheet.code": "Mã đề cử",
    "mydata.sheet.nominee": "Người được đề cử",
    "mydata.sheet.status": "Trạng thái",
    "mydata.sheet.evidence": "Minh chứng",
    "mydata.sheet.kind": "Loại tệp",
    "mydata.sheet.sent": "Gửi lúc",
    "mydata.sheet.devices": "Trình duyệt",
    "mydata.sheet.device": "Thiết bị",
    # /xoadulieu
    "erase.explain": (
        "Xoá dữ liệu của bạn — không thể hoàn tác.\n\n"
        "Sẽ xoá: họ tên, số điện thoại, các tài khoản Zalo/Telegram/trình duyệt đã liên kết, "
        "vai trò trong đơn vị, các lần đồng ý, việc đang làm dở, nội dung tin nhắn giữa bạn và "
        "bot, mã đăng nhập, các trình duyệt đã đăng nhập, trả lời lời mời sự kiện, và minh "
        "chứng bạn gửi cho các đề cử chưa được duyệt.\n"
        "Sẽ giữ (không còn gắn với bạn): các đề cử bạn đã gửi và minh chứng của đề cử đã được "
        "duyệt, là hồ sơ của đơn vị, ghi người đề cử là “(người đề cử đã xoá dữ liệu)”.\n\n"
        "Sau khi xoá, Gương Sáng không còn biết bạn là ai; muốn dùng lại phải có mã mời mới. "
        "Muốn giữ một bản trước: /dulieu → Tải về."
    ),
    "erase.choice.erase": "Xoá vĩnh viễn",
    "erase.ask_word": "Để chắc chắn, hãy gõ chữ XOÁ (hoặc XOA). Gõ /huy nếu bạn đổi ý.",
    "erase.not_confirmed": "Chưa xoá gì. Gõ chữ XOÁ để xoá, hoặc /huy để thôi.",
    "erase.kept": "Chưa xoá gì; dữ liệu của bạn vẫn như cũ.",
    "erase.done": (
        "Đã xoá dữ liệu của bạn. Gương Sáng không còn biết bạn là ai; các đề cử bạn đã gửi "
        "được giữ lại là hồ sơ của đơn vị, không ghi tên bạn. Cảm ơn bạn đã đồng hành."
    ),
    # What replaces erased or stripped data.
    "privacy.erased_reporter": "(người đề cử đã xoá dữ liệu)",
    "privacy.anonymised_nominee": "(đã ẩn danh theo yêu cầu)",
    "privacy.code_removed": "(Tin nhắn này có mã đăng nhập; nội dung đã được xoá để bảo mật.)",
    "privacy.app.telegram": "Telegram",
    "privacy.app.zalo_oa": "Zalo",
    "privacy.app.zalo_bot": "Zalo",
    "privacy.app.web": "trình duyệt web",
    # /nguoiduocdecu (officials act for nominees)
    "nominee.ask_who": (
        "Tìm người được đề cử trong phạm vi của bạn: gõ họ tên (có dấu hoặc không) hoặc số "
        "điện thoại."
    ),
    "nominee.nobody": "Không thấy ai khớp trong phạm vi của bạn. Gõ lại, hoặc /huy.",
    "nominee.too_many": "Có hơn {count} người khớp. Hãy gõ đầy đủ hơn.",
    "nominee.ask_pick": "Chọn đề cử của người cần xem:",
    "nominee.choice.search": "Tìm người khác",
    "nominee.gone": "Đề cử này không còn, hoặc không thuộc phạm vi của bạn.",
    "nominee.record": (
        "Dữ liệu về người được đề cử — {code}\n\n"
        "Họ tên: {name}\n"
        "Loại: {kind}; năm sinh: {birth_year}\n{minor}"
        "Nơi sinh sống / công tác: {place}\n"
        "Lĩnh vực: {field}\n"
        "Số điện thoại liên hệ: {phone}\n"
        "Thành tích: {achievement}\n\n"
        "Minh chứng: {evidence} tệp ({kinds})\n"
        "Đồng ý công khai:\n{consents}\n"
        "Bài vinh danh: {publication}\n"
        "Ghi chú xét duyệt: {notes}; khen thưởng: {commendations}\n"
        "Trạng thái: {status} — {unit}\n"
        "Người đề cử: {reporter}, gửi ngày {submitted}"
    ),
    "nominee.minor": "(chưa đủ 16 tuổi theo năm sinh: công khai cần người giám hộ đồng ý)",
    "nominee.no_consent": "• Chưa có",
    "nominee.publication.published": "đang đăng — {url}",
    "nominee.publication.withdrawn": "đã gỡ",
    "nominee.choice.fix": "Sửa thông tin",
    "nominee.choice.consent": "Ghi nhận đồng ý công khai",
    "nominee.choice.withdraw": "Rút lại đồng ý / gỡ bài",
    "nominee.choice.anonymise": "Ẩn danh",
    "nominee.choice.erase": "Xoá hẳn",
    "nominee.choice.anonymise_yes": "Ẩn danh",
    "nominee.choice.erase_yes": "Xoá hẳn",
    "nominee.ask_field": "Sửa mục nào?",
    "nominee.field.nominee_name": "Họ tên",
    "nominee.field.birth_year": "Năm sinh",
    "nominee.field.place": "Nơi sinh sống / công tác",
    "nominee.field.contact_phone": "Số điện thoại",
    "nominee.field.achievement": "Thành tích",
    "nominee.ask_value.nominee_name": "Gõ họ tên đúng.",
    "nominee.ask_value.birth_year": "Gõ năm sinh đúng (ví dụ 1968), hoặc gõ “xoá” để bỏ.",
    "nominee.ask_value.place": "Gõ nơi sinh sống / công tác đúng.",
    "nominee.ask_value.contact_phone": "Gõ số điện thoại đúng, hoặc gõ “xoá” để bỏ.",
    "nominee.ask_value.achievement": "Gõ lại phần thành tích (ít nhất 20 ký tự).",
    "nominee.bad_year": "Năm sinh là một số, ví dụ 1968 (hoặc gõ “xoá”).",
    "nominee.bad_length": "Độ dài chưa phù hợp. Hãy gõ lại.",
    "nominee.ask_reason": (
        "Vì sao? (ví dụ: theo yêu cầu của người được đề cử qua điện thoại ngày 3/12). Lý do "
        "được ghi vào nhật ký cùng tên bạn."
    ),
    "nominee.confirm.anonymise": (
        "Ẩn danh: xoá họ tên, năm sinh, nơi ở, số điện thoại, thành tích, ghi chú xét duyệt, "
        "minh chứng, sự đồng ý và bài vinh danh; chỉ giữ loại, lĩnh vực, đơn vị, trạng thái và "
        "ngày để thống kê. Không thể hoàn tác. Tiếp tục?"
    ),
    "nominee.confirm.erase": (
        "Xoá hẳn: xoá đề cử này cùng mọi thứ gắn với nó (minh chứng, xét duyệt, chấm điểm, "
        "khen thưởng, bài vinh danh). Không thể hoàn tác. Tiếp tục?"
    ),
    "nominee.not_done": "Chưa làm gì.",
    "nominee.corrected": "Đã sửa {field} (ghi nhật ký).",
    "nominee.consent_recorded": "Đã ghi nhận sự đồng ý công khai (ghi nhật ký).",
    "nominee.consent_withdrawn": "Đã ghi nhận người được đề cử rút lại đồng ý (ghi nhật ký).",
    "nominee.consent_withdrawn.taken_down": (
        "Đã ghi nhận người được đề cử rút lại đồng ý và đã gỡ bài vinh danh, thẻ ảnh, bài trên "
        "kênh (ghi nhật ký)."
    ),
    "nominee.anonymised": "Đã ẩn danh đề cử {code} (ghi nhật ký).",
    "nominee.erased": "Đã xoá hẳn đề cử {code} (ghi nhật ký).",
    # Publishing checks the nominee's consent first.
    "officials.publish.check_consent": (
        "Trước khi đăng, hãy kiểm tra sự đồng ý công khai của người được đề cử:\n{consent}\n\n"
        "Nội dung họ đã đồng ý:\n«{text}»\n\n"
        "Bạn đã kiểm tra (ví dụ: gọi lại cho người được đề cử, xem giấy đã ký) chưa?"
    ),
    "officials.publish.choice.consent_checked": "Đã kiểm tra, viết bài",
    "officials.publish.guardian_missing": (
        "Người được đề cử chưa đủ 16 tuổi (theo năm sinh): cần sự đồng ý của cha, mẹ hoặc "
        "người giám hộ trước khi đăng. Ghi nhận bằng /nguoiduocdecu."
    ),
}
