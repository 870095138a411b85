"""Texts of the officials' features: calls, broadcasts, progress, figures, exports, events."""

TEXTS = {
    "officials.help": "Dành cho cán bộ phụ trách:\n"
    "• /dotphatdong — mở, xem, gia hạn, kết thúc đợt phát động\n"
    "• /thongbao — gửi thông báo; /thongbao trang thai — xem tiến độ gửi\n"
    "• /sukien — thông báo tham quan, giao lưu; xem ai tham gia\n"
    "• /vinhdanh — đăng gương điển hình lên trang vinh danh\n"
    "• /nguoiduocdecu — người được đề cử yêu cầu xem, sửa, rút đồng ý, ẩn danh, xoá\n"
    "• /thongke — số liệu, sơ kết; /xuat — tệp Excel các đề cử\n"
    "• /web — trang quản trị trên máy tính: mời thành viên, in áp phích mã mời, hồ sơ khen "
    "thưởng",
    "officials.help_reviewer": "Dành cho người duyệt: /thongke — số liệu, sơ kết; /xuat — tệp "
    "Excel các đề cử.",
    "officials.ask_scope": "Gửi tới thành viên của đơn vị nào? (đơn vị đã chọn gồm cả các đơn vị "
    "trực thuộc)",
    "officials.preview_header": "Xem trước — thành viên sẽ nhận được tin nhắn như sau:",
    "officials.quiet_note": "Bây giờ là giờ nghỉ, tin sẽ được gửi từ {at}.",
    "officials.held": "Tin sẽ bắt đầu gửi lúc {at}. Nếu nhầm, chọn «↩ Hoàn tác» (hoặc gõ hoàn "
    "tác) trước giờ đó: sẽ không ai nhận được gì.",
    "officials.choice.undo.broadcast": "↩ Hoàn tác thông báo",
    "officials.choice.undo.call": "↩ Hoàn tác mở đợt",
    "officials.choice.undo.event": "↩ Hoàn tác sự kiện",
    "officials.choice.undo.publish": "↩ Hoàn tác bài vinh danh",
    "officials.call_not_open": "Đợt phát động này đã kết thúc hoặc không dành cho đơn vị của bạn. "
    "Bạn vẫn có thể đề cử ngoài đợt bằng lệnh /decu.",
    "officials.call_attached": "Đề cử bạn đang soạn được gắn với đợt «{title}». Mời bạn tiếp tục.",
    "officials.bulk_kind.call": "Đợt phát động",
    "officials.bulk_kind.broadcast": "Thông báo",
    "officials.bulk_kind.reminder": "Nhắc hạn",
    "officials.bulk_kind.event": "Thông báo sự kiện",
    # Calls for nominations
    "officials.campaign.menu": "Đợt phát động (thi đua, đề cử)\n\n{calls}\n\nChọn một đợt để xem, "
    "gia hạn hoặc kết thúc; hoặc tạo đợt mới.",
    "officials.campaign.none_yet": "Chưa có đợt phát động nào trong phạm vi của bạn.",
    "officials.campaign.list_header": "Các đợt gần đây:",
    "officials.campaign.list_line": "• {title} — {status}, hạn cuối {deadline}",
    "officials.campaign.new": "Tạo đợt mới",
    "officials.campaign.not_found": "Không tìm thấy đợt này trong phạm vi của bạn.",
    "officials.campaign.not_open": "Đợt này đã kết thúc hoặc không còn trong phạm vi của bạn.",
    "officials.campaign.status.open": "đang mở",
    "officials.campaign.status.closed": "đã kết thúc",
    "officials.campaign.status.draft": "bản nháp",
    "officials.campaign.ask_title": "Tên đợt phát động? (ví dụ: Đề cử gương người tốt, việc tốt "
    "năm 2026)",
    "officials.campaign.ask_body": "Nội dung lời kêu gọi gửi tới thành viên (ít nhất {min} ký tự): "
    "mục đích, đối tượng, tiêu chí.",
    "officials.campaign.ask_fields": "Đợt này nhận đề cử ở lĩnh vực nào? Chọn từng lĩnh vực rồi "
    "chọn Xong, hoặc chọn Tất cả lĩnh vực.\nĐã chọn: {chosen}",
    "officials.campaign.all_fields": "Tất cả lĩnh vực",
    "officials.campaign.ask_deadline": "Hạn cuối nhận đề cử? Gõ ngày theo dạng ngày/tháng/năm, ví "
    "dụ {example}. Đợt nhận đề cử hết ngày đó.",
    "officials.campaign.deadline_invalid": "Ngày chưa đúng. Hãy gõ theo dạng ngày/tháng/năm, ví dụ "
    "31/12/2026.",
    "officials.campaign.deadline_past": "Hạn cuối phải sau hôm nay.",
    "officials.campaign.deadline_far": "Hạn cuối không được quá một năm kể từ hôm nay.",
    "officials.campaign.ask_photo": "Gửi một ảnh kèm lời kêu gọi (nếu có), hoặc chọn Bỏ qua.",
    "officials.campaign.photo_expected": "Ở bước này hãy gửi một ảnh, hoặc chọn Bỏ qua.",
    "officials.campaign.button": "Đề cử ngay",
    "officials.campaign.call": "📣 {title}\n\n{body}\n\nLĩnh vực: {fields}\nHạn cuối: hết ngày "
    "{deadline}\n\nBấm «{button}» (hoặc gõ số 1) để đề cử; hoặc gõ «đề cử» bất cứ lúc nào.",
    "officials.campaign.confirm": "Đợt này sẽ gửi tới {count} thành viên của {unit}.{note}\n"
    "Mở đợt và gửi ngay?",
    "officials.campaign.choice.open": "Mở đợt và gửi",
    "officials.campaign.opened": "Đã mở đợt «{title}». Tôi sẽ báo tiến độ gửi ngay dưới đây.",
    "officials.campaign.detail": "Đợt «{title}»\n• Đơn vị: {unit}\n• Trạng thái: {status}\n"
    "• Hạn cuối: {deadline}\n• Nhắc trước hạn: {reminders}\n• Số người đã đề cử: {reporters}",
    "officials.campaign.choice.extend": "Gia hạn",
    "officials.campaign.choice.reminders": "Đổi ngày nhắc hạn",
    "officials.campaign.ask_reminders": "Hiện nhắc trước hạn cuối: {days}. Gõ các số ngày mới, "
    "cách nhau bằng dấu phẩy (ví dụ: 7, 3, 1), hoặc gõ 0 để không nhắc.",
    "officials.campaign.reminders_invalid": "Chưa đúng. Gõ tối đa {max} số ngày, ví dụ: 7, 3, 1 "
    "(hoặc 0 để không nhắc).",
    "officials.campaign.reminders_set": "Đợt «{title}» sẽ nhắc trước hạn cuối: {days}.",
    "officials.campaign.days": "{days} ngày",
    "officials.campaign.no_reminders": "không nhắc",
    "officials.campaign.choice.close": "Kết thúc đợt",
    "officials.campaign.choice.close_yes": "Kết thúc ngay",
    "officials.campaign.ask_extend": "Hạn cuối mới? Gõ ngày theo dạng ngày/tháng/năm.",
    "officials.campaign.extend_not_later": "Hạn mới phải sau hạn hiện tại.",
    "officials.campaign.extended": "Đã gia hạn đợt «{title}» đến hết ngày {deadline}.",
    "officials.campaign.ask_close": "Kết thúc đợt ngay bây giờ? Thành viên sẽ không đề cử vào đợt "
    "này được nữa, và người phát động nhận bản tổng kết.",
    "officials.campaign.closed": "Đã kết thúc đợt «{title}». Bản tổng kết được gửi tới người phát "
    "động đợt.",
    "officials.reminder": "⏰ Nhắc: đợt «{title}» còn {days} ngày (hạn cuối hết ngày {deadline}). "
    "Bạn chưa gửi đề cử nào trong đợt này. Bấm «{button}» (hoặc gõ số 1) để đề cử.",
    # Broadcasts
    "officials.broadcast.ask_text": "Nội dung thông báo gửi tới thành viên? (hôm nay bạn còn gửi "
    "được {left} thông báo)",
    "officials.broadcast.message": "📢 Thông báo của {unit} (người gửi: {sender}):\n\n{text}",
    "officials.broadcast.confirm": "Thông báo sẽ gửi tới {count} thành viên của {unit}.{note}\n"
    "Gửi ngay?",
    "officials.broadcast.choice.send": "Gửi thông báo",
    "officials.broadcast.queued": "Đã xếp {count} tin vào hàng gửi.",
    "officials.broadcast.cap_reached": "Hôm nay bạn đã gửi đủ {cap} thông báo. Hãy gửi tiếp vào "
    "ngày mai.",
    "officials.broadcast.status_empty": "Bạn chưa gửi thông báo nào.",
    "officials.broadcast.status_header": "Các lần gửi gần đây:",
    "officials.broadcast.status_line": "• {kind} ({when}) — {state}\n  «{preview}»\n  {progress}",
    "officials.broadcast.state_done": "đã xong",
    "officials.broadcast.state_sending": "đang gửi",
    # Progress of bulk sends
    "officials.progress.sending": "Đang gửi…",
    "officials.progress.done": "Đã gửi xong.",
    "officials.progress.line": "Đã gửi {sent}/{total} · lỗi {failed} · đã chặn {blocked}",
    "officials.progress.unreachable": "· {count} người không liên lạc được (không gửi)",
    "officials.progress.final": "Báo cáo gửi — {kind} «{preview}»:\n• Đã gửi: {sent}/{total}\n"
    "• Lỗi: {failed}\n• Đã chặn tin: {blocked}\n• Không liên lạc được (không gửi): {unreachable}",
    # Figures
    "officials.figures.empty": "{heading}\n\nChưa có đề cử nào.",
    "officials.figures.text": "{heading}\n\nTổng số đề cử: {total}\n\nTheo trạng thái:\n{by_status}"
    "\n\nTheo lĩnh vực:\n{by_field}\n\nTheo đơn vị:\n{by_unit}\n\nTheo tổ chức:\n"
    "{by_organisation}\n\nĐơn vị dẫn đầu: {top}",
    "officials.figures.line": "• {name}: {count}",
    "officials.figures.none": "• (không có)",
    "officials.figures.top_item": "{name} ({count})",
    "officials.chart.by_unit": "Đề cử theo đơn vị",
    "officials.chart.by_status": "Đề cử theo trạng thái",
    "officials.chart.by_field": "Đề cử theo lĩnh vực",
    "officials.chart.other_units": "{count} đơn vị khác",
    "officials.chart.subtitle": "{heading} · tổng {total} đề cử",
    "officials.summary.heading": "Tổng kết đợt «{title}» ({unit}), hạn cuối {deadline}",
    "officials.weekly.heading": "Sơ kết tuần của {unit} (từ {first} đến {last})",
    "officials.stats.heading": "Số liệu đề cử của {unit} từ {first} đến {last}",
    "officials.stats.usage": "Chưa hiểu khoảng thời gian. Gõ /thongke (30 ngày qua), /thongke 7 "
    "(7 ngày qua), /thongke thang, /thongke nam, hoặc /thongke 01/11/2026-30/11/2026 để sơ kết "
    "một khoảng ngày.",
    # Export
    "officials.export.unavailable": "Hiện chưa xuất được tệp. Hãy thử lại sau.",
    "officials.export.ready": "Tệp Excel {count} đề cử của {units}. {note}",
    "officials.export.personal": "Tệp có thông tin cá nhân (số điện thoại, người đề cử): chỉ dùng "
    "cho công việc, không chia sẻ ra ngoài.",
    "officials.export.no_personal": "Tệp không gồm thông tin cá nhân.",
    "officials.export.sheet_all": "Tất cả",
    "officials.export.col.code": "Mã đề cử",
    "officials.export.col.submitted": "Ngày gửi",
    "officials.export.col.unit": "Đơn vị",
    "officials.export.col.campaign": "Đợt phát động",
    "officials.export.col.kind": "Loại",
    "officials.export.col.name": "Tên người/tập thể được đề cử",
    "officials.export.col.birth_year": "Năm sinh",
    "officials.export.col.place": "Nơi sinh sống/công tác",
    "officials.export.col.field": "Lĩnh vực",
    "officials.export.col.achievement": "Thành tích",
    "officials.export.col.status": "Trạng thái",
    "officials.export.col.consent": "Đồng ý công khai",
    "officials.export.col.phone": "Điện thoại liên hệ",
    "officials.export.col.reporter": "Người đề cử",
    "officials.export.col.evidence": "Số tệp minh chứng",
    "officials.export.col.level": "Cấp xét duyệt",
    "officials.export.col.score": "Điểm theo tiêu chí",
    "officials.export.col.decided_by": "Người quyết định",
    "officials.export.col.decided_at": "Ngày quyết định",
    "officials.export.col.reason": "Lý do không duyệt",
    "officials.export.col.updated": "Cập nhật lần cuối",
    "officials.export.scored_of": "(chấm {scored}/{count} tiêu chí)",
    "officials.export.title": "DANH SÁCH ĐỀ CỬ NGƯỜI TỐT, VIỆC TỐT VÀ GƯƠNG ĐIỂN HÌNH",
    "officials.export.title_status": "DANH SÁCH ĐỀ CỬ — {status}",
    "officials.export.units": "Đơn vị: {units}",
    "officials.export.period": "Thời gian gửi đề cử: từ ngày {first} đến ngày {last}",
    "officials.export.period_all": "Thời gian gửi đề cử: tất cả, đến ngày {last}",
    "officials.export.count": "Số đề cử: {count}",
    "officials.export.made": "Lập lúc {time} ngày {date}. Người lập: {name}",
    "officials.export.usage": "Chưa hiểu khoảng thời gian. Gõ /xuat (tất cả đề cử), /xuat 30 (30 "
    "ngày qua), /xuat thang (tháng này) hoặc /xuat 01/10/2026-31/10/2026.",
    # Events (visits, exchanges with exemplary models)
    "officials.event.menu": "Sự kiện (tham quan, giao lưu với điển hình)\n\n{items}\n\nChọn một "
    "sự kiện để xem danh sách tham gia, hoặc tạo sự kiện mới.",
    "officials.event.none_yet": "Chưa có sự kiện nào sắp diễn ra.",
    "officials.event.list_line": "• {title} — {when}",
    "officials.event.new": "Tạo sự kiện mới",
    "officials.event.not_found": "Không tìm thấy sự kiện này trong phạm vi của bạn.",
    "officials.event.ask_title": "Tên sự kiện? (ví dụ: Tham quan mô hình nuôi bò của hộ ông Ba)",
    "officials.event.ask_place": "Địa điểm?",
    "officials.event.ask_when": "Thời gian? Gõ ngày và giờ, ví dụ 05/12/2026 08:00.",
    "officials.event.when_invalid": "Chưa đúng. Hãy gõ ngày/tháng/năm và giờ:phút, ví dụ "
    "05/12/2026 08:00.",
    "officials.event.when_past": "Thời gian phải ở sau bây giờ.",
    "officials.event.ask_capacity": "Số người tối đa? Gõ một số, hoặc gõ 0 nếu không giới hạn.",
    "officials.event.capacity_invalid": "Hãy gõ một số (0 là không giới hạn).",
    "officials.event.capacity_of": "(tối đa {capacity} người)",
    "officials.event.invitation": "🗓 {title}\n• Thời gian: {when}\n• Địa điểm: {place}{capacity}"
    "\n\nBạn có tham gia không? Bấm nút, hoặc gõ số 1 (Tham gia) hay 2 (Không tham gia).",
    "officials.event.confirm": "Thông báo sự kiện sẽ gửi tới {count} thành viên của {unit}.{note}"
    "\nGửi ngay?",
    "officials.event.choice.send": "Gửi thông báo sự kiện",
    "officials.event.choice.yes": "Tham gia",
    "officials.event.choice.no": "Không tham gia",
    "officials.event.announced": "Đã thông báo sự kiện «{title}».",
    "officials.event.answers": "Sự kiện «{title}»\n• Thời gian: {when}\n• Địa điểm: {place}\n"
    "• Tham gia: {going}{capacity}\n{going_names}\n• Không tham gia: {not_going}",
    "officials.event.not_available": "Sự kiện này không còn nhận đăng ký hoặc không dành cho "
    "đơn vị của bạn.",
    "officials.event.already_started": "Sự kiện «{title}» đã diễn ra.",
    "officials.event.full": "Rất tiếc, sự kiện «{title}» đã đủ người.",
    "officials.event.answered_yes": "Đã ghi nhận bạn tham gia «{title}» lúc {when} tại {place}. "
    "Tôi sẽ nhắc bạn một ngày trước.",
    "officials.event.answered_no": "Đã ghi nhận bạn không tham gia «{title}». Nếu đổi ý, bấm "
    "Tham gia trên tin mời.",
    "officials.event.reminder": "⏰ Nhắc: ngày mai bạn tham gia «{title}» lúc {when} tại {place}.",
    # Propagation: honour pages, share cards, the public channel
    "officials.publish.nothing": "Chưa có gương nào để đăng: cần đề cử đã được duyệt và người "
    "được đề cử đã đồng ý công khai.",
    "officials.publish.menu": "Vinh danh gương điển hình\n• Sẵn sàng đăng: {ready}\n"
    "• Đang đăng (✓): {live}\n\nChọn một gương để soạn bài đăng, hoặc chọn bài đang đăng để gỡ.",
    "officials.publish.not_publishable": "Đề cử này không đăng được (chưa duyệt, chưa đồng ý công "
    "khai hoặc không thuộc phạm vi của bạn).",
    "officials.publish.not_found": "Không tìm thấy bài đăng này trong phạm vi của bạn.",
    "officials.publish.subtitle": "{field} · {unit}",
    "officials.story.opening.individual": "{name}{born} hiện sống và làm việc tại {place}",
    "officials.story.opening.collective": "{name} hoạt động tại {place}",
    "officials.story.opening.household": "{name} sống tại {place}",
    "officials.story.household": "Gia đình {name}",
    "officials.story.born": ", sinh năm {year},",
    "officials.publish.ask_story": "Bài viết ngắn sẽ đăng (bạn có thể gõ lại toàn bộ để sửa):\n\n"
    "{story}",
    "officials.publish.keep": "Giữ nguyên",
    "officials.publish.no_photos": "Đề cử này không có ảnh; thẻ chia sẻ sẽ không có ảnh.",
    "officials.publish.ask_photo": "Các ảnh minh chứng:",
    "officials.publish.pick_photo": "Chọn ảnh đẹp nhất để đăng:",
    "officials.publish.photo_n": "Ảnh {n}",
    "officials.publish.no_photo": "Không dùng ảnh",
    "officials.publish.preview": "Xem trước bài đăng:\n\n{title}\n{subtitle}\n\n{story}",
    "officials.publish.choice.publish": "Đăng",
    "officials.publish.choice.edit": "Sửa lời",
    "officials.publish.choice.withdraw": "Gỡ bài (người được đề cử rút đồng ý)",
    "officials.publish.done": "Đã đăng gương «{title}». Trang vinh danh: {url}\nẢnh thẻ ở trên "
    "dùng để chia sẻ lên Zalo, Facebook.",
    "officials.publish.post": "🌟 {title}\n{subtitle}\n\n{story}\n\nXem thêm: {url}",
    "officials.publish.live": "Bài «{title}» đang đăng: {url}",
    "officials.publish.withdrawn": "Đã gỡ bài «{title}» khỏi trang vinh danh và kênh công khai; "
    "đề cử được ghi là không đồng ý công khai.",
    "officials.publish.withdrawn_post": "Nội dung này đã được gỡ theo đề nghị của người được "
    "nêu gương.",
    "honour.footer": "Gương Sáng — người tốt, việc tốt",
    "honour.index_title": "Vinh danh người tốt, việc tốt",
    "honour.index_empty": "Chưa có gương nào được đăng.",
    "honour.gone_title": "Không còn nội dung",
    "honour.gone": "Nội dung này đã được gỡ và không còn được đăng.",
    "honour.not_found_title": "Không tìm thấy trang",
    "honour.not_found": "Không có trang vinh danh ở địa chỉ này. Hãy kiểm tra lại đường dẫn.",
    "honour.back": "← Tất cả gương sáng",
    "honour.more": "Xem các gương sáng khác",
    "honour.published_on": "Vinh danh ngày {date}",
    "honour.by_unit": "{unit}",
    "honour.photo_alt": "Ảnh của {name}",
    "honour.share_title": "Chia sẻ câu chuyện này",
    "honour.share_native": "Chia sẻ qua Zalo, Messenger…",
    "honour.share_facebook": "Chia sẻ lên Facebook",
    "honour.copy": "Sao chép liên kết",
    "honour.copied": "Đã sao chép liên kết",
    "honour.link": "Liên kết:",
}
