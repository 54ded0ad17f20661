//! Commands that move the hub's data out and back: exports, calendars, a member list from a spreadsheet, the
//! retention purge, erasure, a person's own data, backups and restore. The rules live in booking-core; this is
//! files, words and exit codes.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use booking_core::{EraseOutcome, Feed, HubExport, Refusal, RowOutcome, list_backups, read_people_csv, verify_backup};
use chrono::Duration;
use kiosk_runtime::housekeeping::{BackupPlan, purge_summary};
use kiosk_runtime::pass_sheet::{SheetPass, pass_sheets};
use kiosk_runtime::refusals::Reason;
use serde_json::json;

use super::Invocation;
use super::args::{ExportFormat, IcsArgs};
use super::input::{bad_input, parse_date};
use super::report::{Report, language, local};

/// Writes `text` to `path`, or makes it the command's output.
fn write_or_print(text: String, path: Option<&Path>, what: &str) -> Result<Report> {
    match path {
        Some(path) => {
            fs::write(path, &text).with_context(|| format!("could not write {}", path.display()))?;
            Ok(Report::done(format!("Wrote {what} to {}", path.display()), json!({ "file": path })))
        }
        None => {
            let json = serde_json::from_str(&text).unwrap_or_else(|_| json!({ "text": text }));
            Ok(Report { text: text.trim_end().to_owned(), json, refused: false })
        }
    }
}

pub fn export(cx: &mut Invocation<'_>, format: ExportFormat, out: Option<&Path>) -> Result<Report> {
    match format {
        ExportFormat::Json => {
            let document = cx.hub.store.export(cx.now)?;
            let rows: usize = document.tables.values().map(Vec::len).sum();
            write_or_print(serde_json::to_string_pretty(&document)? + "\n", out, &format!("{rows} records"))
        }
        ExportFormat::Csv => {
            let dir = out.ok_or_else(|| bad_input("CSV is one file per table: name a folder with --out DIR"))?;
            fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
            let files = cx.hub.store.export_csv()?;
            for (table, text) in &files {
                let path = dir.join(format!("{table}.csv"));
                fs::write(&path, text).with_context(|| format!("could not write {}", path.display()))?;
            }
            Ok(Report::done(
                format!("Wrote {} CSV files (one per table) to {}", files.len(), dir.display()),
                json!({ "folder": dir, "tables": files.keys().collect::<Vec<_>>() }),
            ))
        }
    }
}

pub fn import(cx: &mut Invocation<'_>, file: &Path) -> Result<Report> {
    let text = fs::read_to_string(file).with_context(|| format!("could not read {}", file.display()))?;
    let document: HubExport = serde_json::from_str(&text)
        .map_err(|error| bad_input(format!("{} is not a Hub Kiosk export: {error}", file.display())))?;
    let report = cx.hub.store.import(&document)?;
    let rows: usize = report.rows.values().sum();
    Ok(Report::done(format!("Imported {rows} records from {}", file.display()), &report))
}

pub fn ics(cx: &mut Invocation<'_>, args: &IcsArgs) -> Result<Report> {
    let store = &cx.hub.store;
    let zone = store.site()?.time_zone;
    let feed = match &args.room {
        Some(name) => Feed::Room(store.room_by_name(name)?.id),
        None if args.surgeries => Feed::Surgeries,
        None => Feed::All,
    };
    let since = match &args.since {
        Some(text) => booking_core::local_day(zone, parse_date(text, zone, cx.now)?).start(),
        None => cx.now - Duration::days(90),
    };
    let text = store.calendar(feed, since, cx.now)?;
    let events = text.matches("BEGIN:VEVENT").count();
    match &args.out {
        Some(path) => write_or_print(text, Some(path), &format!("a calendar of {events} events")),
        None => Ok(Report { text: text.trim_end().to_owned(), json: json!({ "ics": text }), refused: false }),
    }
}

pub fn purge(cx: &mut Invocation<'_>) -> Result<Report> {
    let report = cx.hub.store.purge(cx.now)?;
    Ok(Report::done(purge_summary(&report, cx.hub.store.site()?.time_zone), &report))
}

pub fn person_import(cx: &mut Invocation<'_>, file: &Path, dry_run: bool, sheets: Option<&Path>) -> Result<Report> {
    let bytes = fs::read(file).with_context(|| format!("could not read {}", file.display()))?;
    let rows = read_people_csv(&bytes).with_context(|| format!("{} was not imported", file.display()))?;
    let import = cx.hub.store.import_people(&cx.hub.key, &rows, dry_run, cx.now)?;
    let mut text = if dry_run {
        format!("{}: {} rows. A dry run: nothing was kept.\n", file.display(), rows.len())
    } else {
        format!("{}: {} rows.\n", file.display(), rows.len())
    };
    for row in &import.rows {
        let what = match &row.outcome {
            RowOutcome::Added { person } => format!("added (#{person})"),
            RowOutcome::Updated { person, changed } => format!("updated #{person}: {}", changed.join(" and ")),
            RowOutcome::Unchanged { person } => format!("already here (#{person})"),
            RowOutcome::Duplicate { first_line } => format!("the same person as line {first_line}: skipped"),
            RowOutcome::Refused { refusal } => format!("refused: {}", refusal.reason(language())),
        };
        let name = if row.name.is_empty() { "(no name)" } else { row.name.as_str() };
        text += &format!("  line {:<4} {name}: {what}\n", row.line);
    }
    let [added, updated, unchanged, duplicates, refused] = import.counts();
    let duplicates = if duplicates == 1 { "1 duplicate".to_owned() } else { format!("{duplicates} duplicates") };
    text += &format!("{added} added, {updated} updated, {unchanged} already here, {duplicates}, {refused} refused.");
    let mut pages = Vec::new();
    if !import.passes.is_empty() {
        let dir = sheets.map_or_else(|| cx.hub.dir.join("passes"), Path::to_path_buf);
        fs::create_dir_all(&dir).with_context(|| format!("could not make {}", dir.display()))?;
        let passes: Vec<SheetPass> = import
            .passes
            .iter()
            .map(|(_, name, pass)| SheetPass { name: name.clone(), payload: pass.payload.clone() })
            .collect();
        let stamp = cx.now.format("%Y%m%d-%H%M%S");
        for (number, page) in pass_sheets(&passes)?.into_iter().enumerate() {
            let path = dir.join(format!("members-{stamp}-{}.png", number + 1));
            fs::write(&path, page).with_context(|| format!("could not write {}", path.display()))?;
            pages.push(path);
        }
        text += &format!(
            "\nNew members' passes ({}), to print and cut out: {}",
            passes.len(),
            pages.iter().map(|page| page.display().to_string()).collect::<Vec<_>>().join(", ")
        );
    }
    // Scripts get each refusal's stable code and its reason, as for every other refusal.
    let rows: Vec<serde_json::Value> = import
        .rows
        .iter()
        .map(|row| {
            let mut value = serde_json::to_value(row).unwrap_or_default();
            if let (RowOutcome::Refused { refusal }, Some(map)) = (&row.outcome, value.as_object_mut()) {
                map.remove("refusal");
                map.insert("code".into(), refusal.code().into());
                map.insert("reason".into(), refusal.reason(language()).into());
            }
            value
        })
        .collect();
    Ok(Report::done(text, json!({ "file": file, "dry_run": dry_run, "rows": rows, "sheets": pages })))
}

pub fn person_export(cx: &mut Invocation<'_>, person: &str, out: Option<&Path>) -> Result<Report> {
    let person = cx.person(person)?;
    let export = cx.hub.store.person_export(person.id, cx.now)?;
    write_or_print(
        serde_json::to_string_pretty(&export)? + "\n",
        out,
        &format!("everything held about {}", person.display_name),
    )
}

pub fn person_erase(cx: &mut Invocation<'_>, person: &str, confirmed: bool) -> Result<Report> {
    let person = cx.person(person)?;
    if !confirmed {
        return Ok(Report::refused(
            format!(
                "This erases the name and contact of {} (#{}) for good. Run it again with --yes to do it.",
                person.display_name, person.id
            ),
            json!({ "person": person.id }),
        ));
    }
    let retention = cx.hub.store.site()?.retention_days;
    Ok(match cx.hub.store.erase_person(person.id, cx.now)? {
        EraseOutcome::Erased(erasure) => Report::done(
            format!(
                "Erased #{}: name and contact removed everywhere. {} bookings and {} drop-in places still to come \
                 were cancelled; {} titles that named them were cleared. Backups taken before now still hold the \
                 old data until they expire ({retention} days at most).",
                erasure.person, erasure.bookings_cancelled, erasure.seats_cancelled, erasure.titles_cleared
            ),
            &erasure,
        ),
        EraseOutcome::Refused(refusal) => Report::refusal(&refusal, &refusal),
    })
}

pub fn backup(cx: &mut Invocation<'_>, to: Option<&Path>, keep: usize) -> Result<Report> {
    let dir = to.map_or_else(|| BackupPlan::daily(&cx.hub.dir).dir, Path::to_path_buf);
    let report = cx.hub.store.backup_into(&dir, keep, cx.now)?;
    let check = &report.check;
    let removed = match report.deleted.len() {
        0 => String::new(),
        1 => " Removed 1 older backup.".into(),
        n => format!(" Removed {n} older backups."),
    };
    Ok(Report::done(
        format!(
            "Backed up {} ({} people, {} bookings, {} check-ins) to {} ({}), checked OK.{removed}",
            check.hub_name,
            check.people,
            check.bookings,
            check.visits,
            report.written.path.display(),
            size(report.written.bytes)
        ),
        &report,
    ))
}

pub fn restore(cx: &mut Invocation<'_>, file: Option<&Path>, from: Option<&Path>) -> Result<Report> {
    let dir: PathBuf = from.map_or_else(|| BackupPlan::daily(&cx.hub.dir).dir, Path::to_path_buf);
    let Some(file) = file else {
        let backups = list_backups(&dir)?;
        if backups.is_empty() {
            return Ok(Report::done(
                format!("There are no backups in {} yet. Make one with: kiosk backup", dir.display()),
                &backups,
            ));
        }
        let zone = cx.hub.store.site().map(|site| site.time_zone).unwrap_or(chrono_tz::UTC);
        let mut text = format!("Backups in {} (newest first):\n", dir.display());
        for backup in &backups {
            text += &format!("  {}  {}  {}\n", backup.path.display(), local(backup.taken_at, zone), size(backup.bytes));
        }
        text += "Restore one with: kiosk restore FILE";
        return Ok(Report::done(text, &backups));
    };
    // Check the file before touching anything, then keep what is there now.
    verify_backup(file).map_err(|error| bad_input(error.to_string()))?;
    let safety = match cx.hub.store.site() {
        Ok(_) => Some(cx.hub.store.backup_once(&dir, cx.now)?.0.path),
        Err(_) => None,
    };
    let check = cx.hub.store.restore_from(file)?;
    let kept =
        safety.as_ref().map_or(String::new(), |path| format!(" The data as it was is saved in {}.", path.display()));
    Ok(Report::done(
        format!(
            "Restored {} from {} ({} people, {} bookings, {} check-ins).{kept}",
            check.hub_name,
            file.display(),
            check.people,
            check.bookings,
            check.visits
        ),
        json!({ "restored": check, "saved_before": safety }),
    ))
}

fn size(bytes: u64) -> String {
    match bytes {
        0..1_000_000 => format!("{} kB", bytes.div_ceil(1000)),
        _ => format!("{:.1} MB", bytes as f64 / 1e6),
    }
}
