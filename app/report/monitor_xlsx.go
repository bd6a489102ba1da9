package report

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"time"
)

// monitorXLSXTypes type the columns of the monitor's tables that are not
// text: counts and ids are numbers, shares and changes decimals, the
// tender's day a date, an explanation's time a UTC date-time.
var monitorXLSXTypes = map[string]CellType{
	"year": CellInt, "id": CellInt, "tender_id": CellInt, "date": CellDate,
	"relevant_count": CellInt, "requested_count": CellInt, "on_sheet": CellInt, "verified": CellInt,
	"relevant": CellInt, "requested": CellInt, "share": CellDecimal, "previous_relevant": CellInt,
	"previous_requested": CellInt, "change_points": CellDecimal, "explained": CellInt, "updated_at": CellDateTime,
}

// monitorXLSXType is the type of column name of table: "relevant",
// "requested" and "explained" are lists of slugs in the tender table and
// counts in the standard table.
func monitorXLSXType(table, name string) CellType {
	if table == "tenders" {
		switch name {
		case "relevant", "requested", "explained":
			return CellText
		}
	}
	return monitorXLSXTypes[name]
}

// WriteMonitorXLSX writes the monitor's tables (MonitorTables, the rows of
// MonitorRows that the CSVs hold) as one workbook in lang, a sheet per
// table with the CSV's header words, typed cells, a frozen header row, a
// filter and widths.
func WriteMonitorXLSX(w io.Writer, r MonitorReport, lang string) error {
	wd := wordsOf(Options{Lang: lang})
	b, err := NewWorkbook(time.UTC)
	if err != nil {
		return err
	}
	defer b.Close()
	for _, table := range MonitorTables {
		head, rows, err := MonitorRows(r, table, lang)
		if err != nil {
			return err
		}
		names := monitorCSVColumns[table]
		types := map[string]CellType{}
		for _, n := range names {
			types[n] = monitorXLSXType(table, n)
		}
		cols := ColumnsOf(head, names, types, XLSXWidths)
		for i := range cols {
			if cols[i].Type == CellDateTime {
				cols[i].UTC = true
			}
		}
		t, err := b.Table(wd.t("monitorx.sheet."+table, "year", r.Year), cols)
		if err != nil {
			return err
		}
		for _, row := range rows {
			cells := make([]any, len(row))
			for i, s := range row {
				v, err := monitorCell(cols[i].Type, s)
				if err != nil {
					return fmt.Errorf("report: monitor xlsx %s column %s: %w", table, names[i], err)
				}
				cells[i] = v
			}
			if err := t.Row(cells...); err != nil {
				return err
			}
		}
		if err := t.Close(); err != nil {
			return err
		}
	}
	return b.Write(w)
}

// monitorCell is the CSV cell s as the value of a cell of typ ("" stays
// empty).
func monitorCell(typ CellType, s string) (any, error) {
	if s == "" {
		return nil, nil
	}
	switch typ {
	case CellInt:
		return strconv.Atoi(s)
	case CellDecimal:
		return strconv.ParseFloat(s, 64)
	case CellDate:
		return time.Parse(time.DateOnly, s)
	case CellDateTime:
		return time.Parse(time.RFC3339, s)
	}
	return s, nil
}

// MonitorPlan plans the monitor's PDF in opt's language and zone; it is
// rendered each time, never stored (explanations change at any time).
func MonitorPlan(r MonitorReport, opt Options) Plan {
	return Plan{name: "monitor", created: opt.Created, render: func(buf *bytes.Buffer) error { return WriteMonitorReport(buf, r, opt) }}
}
