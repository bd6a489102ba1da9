// tenders: the sheet editor.
