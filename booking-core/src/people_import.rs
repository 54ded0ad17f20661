//! A member list from a spreadsheet, as hubs keep them: a CSV file read row by row (UTF-8 with or without a byte order
//! mark, commas or the semicolons of spreadsheets set to European locales, quoted fields), then every row added,
//! updated or refused in one transaction with a report by line. A dry run does the same and keeps nothing.

use std::collections::HashMap;

use crate::sql::params;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::ids::PersonId;
use crate::passes::{IssuedPass, NewPass, PassKey, insert_pass};
use crate::people::{NewPerson, PERSON_COLUMNS, Person, Role, insert_person, person_from_row};
use crate::privacy::ERASED_NAME;
use crate::refusal::Refusal;

/// The longest name and contact the hub keeps (as for anyone added by hand).
const NAME_CHARS: usize = 80;
const CONTACT_CHARS: usize = 120;

/// One row of the file: its line, and the columns the hub keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonRow {
    pub line: u64,
    pub name: String,
    /// As written (blank: a member).
    pub role: String,
    pub contact: String,
}

/// Why a row was not taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum RowRefusal {
    NoName,
    NameTooLong {
        chars: usize,
    },
    ContactTooLong {
        chars: usize,
    },
    /// Control characters: usually a broken export.
    Unreadable,
    UnknownRole {
        role: String,
    },
    /// Staff need a PIN: they are added one by one.
    Staff,
    /// The row matches someone who is staff, whom a spreadsheet does not change.
    IsStaff,
}

impl Refusal for RowRefusal {
    fn code(&self) -> &'static str {
        match self {
            RowRefusal::NoName => "no_name",
            RowRefusal::NameTooLong { .. } => "name_too_long",
            RowRefusal::ContactTooLong { .. } => "contact_too_long",
            RowRefusal::Unreadable => "unreadable",
            RowRefusal::UnknownRole { .. } => "unknown_role",
            RowRefusal::Staff => "staff",
            RowRefusal::IsStaff => "is_staff",
        }
    }
}

/// What became of one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum RowOutcome {
    Added {
        person: PersonId,
    },
    /// Someone the hub knew (the same contact, or else the same name): their role or contact changed.
    Updated {
        person: PersonId,
        changed: Vec<&'static str>,
    },
    /// Someone the hub knew, already as the row says.
    Unchanged {
        person: PersonId,
    },
    /// The same person as an earlier row of the file (the same contact, or the same name with no contact).
    Duplicate {
        first_line: u64,
    },
    Refused {
        refusal: RowRefusal,
    },
}

/// One row's line, name and outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedRow {
    pub line: u64,
    pub name: String,
    #[serde(flatten)]
    pub outcome: RowOutcome,
}

/// The whole import: every row, in the file's order, and the passes of the members it added (none in a dry run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeopleImport {
    pub dry_run: bool,
    pub rows: Vec<ImportedRow>,
    #[serde(skip)]
    pub passes: Vec<(PersonId, String, IssuedPass)>,
}

impl PeopleImport {
    /// How many rows were added, updated, unchanged, duplicates and refused.
    pub fn counts(&self) -> [usize; 5] {
        let mut counts = [0; 5];
        for row in &self.rows {
            counts[match row.outcome {
                RowOutcome::Added { .. } => 0,
                RowOutcome::Updated { .. } => 1,
                RowOutcome::Unchanged { .. } => 2,
                RowOutcome::Duplicate { .. } => 3,
                RowOutcome::Refused { .. } => 4,
            }] += 1;
        }
        counts
    }
}

/// Reads a spreadsheet's CSV. The first line names the columns: `name` (or `first name` and `last name`), and if it
/// has them `role` and `contact` (or `email`, `phone`); others are ignored. A file that cannot be read at all is an
/// error naming the line; a row the hub cannot take is refused later, by line, with the others still read.
pub fn read_people_csv(bytes: &[u8]) -> Result<Vec<PersonRow>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|error| {
        let line = bytes[..error.valid_up_to()].iter().filter(|byte| **byte == b'\n').count() + 1;
        StoreError::invalid(format!(
            "line {line} is not UTF-8 text: in the spreadsheet, save it as \"CSV UTF-8\" and try again"
        ))
    })?;
    let header = text.lines().next().unwrap_or_default();
    let delimiter = if header.matches(';').count() > header.matches(',').count() { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text.as_bytes());
    let columns = Columns::find(reader.headers().map_err(|error| unreadable(&error))?)?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| unreadable(&error))?;
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        let field = |index: Option<usize>| index.and_then(|index| record.get(index)).unwrap_or_default().trim();
        let name = match columns.name {
            Name::Whole(index) => field(Some(index)).to_owned(),
            Name::Parts(first, last) => format!("{} {}", field(Some(first)), field(Some(last))).trim().to_owned(),
        };
        rows.push(PersonRow {
            // From the byte offset: the reader's own line count skips blank lines.
            line: record.position().map_or(0, |at| line_at(text, at.byte())),
            name,
            role: field(columns.role).to_owned(),
            contact: field(columns.contact).to_owned(),
        });
    }
    Ok(rows)
}

/// The line (from 1) a record starting at byte `offset` of `text` is on: blank lines before it are not its own.
fn line_at(text: &str, offset: u64) -> u64 {
    let bytes = text.as_bytes();
    let mut offset = usize::try_from(offset).unwrap_or(usize::MAX).min(bytes.len());
    while bytes.get(offset).is_some_and(|byte| matches!(byte, b'\r' | b'\n')) {
        offset += 1;
    }
    bytes[..offset].iter().filter(|byte| **byte == b'\n').count() as u64 + 1
}

fn unreadable(error: &csv::Error) -> StoreError {
    let line = error.position().map(csv::Position::line);
    match line {
        Some(line) => StoreError::invalid(format!("line {line} could not be read as CSV: {error}")),
        None => StoreError::invalid(format!("the file could not be read as CSV: {error}")),
    }
}

/// Where the name is: one column, or first and last names.
enum Name {
    Whole(usize),
    Parts(usize, usize),
}

struct Columns {
    name: Name,
    role: Option<usize>,
    contact: Option<usize>,
}

impl Columns {
    fn find(header: &csv::StringRecord) -> Result<Columns> {
        let labels: Vec<String> = header
            .iter()
            .map(|label| {
                label.trim().to_lowercase().replace(['_', '-'], " ").split_whitespace().collect::<Vec<_>>().join(" ")
            })
            .collect();
        let find = |names: &[&str]| labels.iter().position(|label| names.contains(&label.as_str()));
        let name = match (find(&["name", "display name", "full name"]), find(&["first name", "given name", "forename"]))
        {
            (Some(index), _) => Name::Whole(index),
            (None, Some(first)) => match find(&["last name", "surname", "family name"]) {
                Some(last) => Name::Parts(first, last),
                None => Name::Whole(first),
            },
            (None, None) => {
                return Err(StoreError::invalid(
                    "line 1 must name the columns: \"name\" (or \"first name\" and \"last name\"), and \"role\" and \
                     \"contact\" (or \"email\") if the file has them",
                ));
            }
        };
        Ok(Columns {
            name,
            role: find(&["role", "type", "membership"]),
            contact: find(&["contact", "email", "e mail", "email address", "phone", "mobile", "telephone"]),
        })
    }
}

/// How people are matched: by contact when there is one, else by name; case, accents' forms and spacing aside.
fn normalised(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The row's person as the hub would keep them (a blank role: a new person is a member, someone known keeps theirs),
/// or why not.
fn check(row: &PersonRow) -> std::result::Result<(NewPerson, bool), RowRefusal> {
    let name = row.name.trim();
    if name.is_empty() {
        return Err(RowRefusal::NoName);
    }
    if name.chars().chain(row.contact.chars()).any(char::is_control) {
        return Err(RowRefusal::Unreadable);
    }
    let chars = name.chars().count();
    if chars > NAME_CHARS {
        return Err(RowRefusal::NameTooLong { chars });
    }
    let chars = row.contact.chars().count();
    if chars > CONTACT_CHARS {
        return Err(RowRefusal::ContactTooLong { chars });
    }
    let role_given = !row.role.trim().is_empty();
    let role = match row.role.trim() {
        "" => Role::Member,
        other => other.parse::<Role>().map_err(|_| RowRefusal::UnknownRole { role: other.to_owned() })?,
    };
    if role == Role::Staff {
        return Err(RowRefusal::Staff);
    }
    let contact = Some(row.contact.trim().to_owned()).filter(|contact| !contact.is_empty());
    Ok((NewPerson { display_name: name.to_owned(), contact, role, rules_version: None }, role_given))
}

impl Store {
    /// Adds or updates everyone in `rows` in one transaction: a row whose contact (or, with no contact, whose name)
    /// matches someone the hub knows updates their role and contact; a new member gets a member's pass. Nothing is
    /// kept when `dry_run`: the report says what the import would do.
    pub fn import_people(
        &mut self,
        key: &PassKey,
        rows: &[PersonRow],
        dry_run: bool,
        now: DateTime<Utc>,
    ) -> Result<PeopleImport> {
        let site = self.site;
        self.write_unless(dry_run, |tx| {
            let known: Vec<Person> = tx
                .prepare_cached(&format!("SELECT {PERSON_COLUMNS} FROM people WHERE display_name != ?1"))?
                .query_map([ERASED_NAME], person_from_row)?
                .collect::<crate::sql::Result<_>>()?;
            let mut by_contact: HashMap<String, usize> = HashMap::new();
            let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
            for (index, person) in known.iter().enumerate() {
                if let Some(contact) = &person.contact {
                    by_contact.entry(normalised(contact)).or_insert(index);
                }
                by_name.entry(normalised(&person.display_name)).or_default().push(index);
            }
            let mut seen: HashMap<String, u64> = HashMap::new();
            let mut report = PeopleImport { dry_run, rows: Vec::new(), passes: Vec::new() };
            for row in rows {
                let outcome = match check(row) {
                    Err(refusal) => RowOutcome::Refused { refusal },
                    Ok((new, role_given)) => {
                        let identity = match &new.contact {
                            Some(contact) => format!("contact {}", normalised(contact)),
                            None => format!("name {}", normalised(&new.display_name)),
                        };
                        if let Some(first_line) = seen.get(&identity) {
                            RowOutcome::Duplicate { first_line: *first_line }
                        } else {
                            seen.insert(identity, row.line);
                            let existing = new
                                .contact
                                .as_ref()
                                .and_then(|contact| by_contact.get(&normalised(contact)).copied())
                                .or_else(|| match by_name.get(&normalised(&new.display_name)).map(Vec::as_slice) {
                                    Some([only]) => Some(*only),
                                    _ => None,
                                });
                            match existing.map(|index| &known[index]) {
                                Some(person) => update(tx, person, &new, role_given)?,
                                None => {
                                    let person = insert_person(tx, &new, now)?;
                                    if new.role == Role::Member && !dry_run {
                                        let pass = insert_pass(tx, key, site, person, NewPass::Member, now)?;
                                        report.passes.push((person, new.display_name.clone(), pass));
                                    }
                                    RowOutcome::Added { person }
                                }
                            }
                        }
                    }
                };
                report.rows.push(ImportedRow { line: row.line, name: row.name.clone(), outcome });
            }
            Ok(report)
        })
    }
}

/// Brings someone the hub knows in line with their row (a blank role or contact leaves theirs); staff are left
/// alone (their role comes with a PIN).
fn update(tx: &crate::sql::Transaction<'_>, person: &Person, new: &NewPerson, role_given: bool) -> Result<RowOutcome> {
    if person.role == Role::Staff {
        return Ok(RowOutcome::Refused { refusal: RowRefusal::IsStaff });
    }
    let role = if role_given { new.role } else { person.role };
    let mut changed = Vec::new();
    if person.role != role {
        changed.push("role");
    }
    let same = |a: &Option<String>, b: &Option<String>| a.as_deref().map(normalised) == b.as_deref().map(normalised);
    if new.contact.is_some() && !same(&person.contact, &new.contact) {
        changed.push("contact");
    }
    if changed.is_empty() {
        return Ok(RowOutcome::Unchanged { person: person.id });
    }
    let contact = new.contact.as_ref().or(person.contact.as_ref());
    tx.execute("UPDATE people SET role = ?1, contact = ?2 WHERE id = ?3", params![role.as_str(), contact, person.id])?;
    Ok(RowOutcome::Updated { person: person.id, changed })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::site::NewSite;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, 5, 11, 0, 0).unwrap()
    }

    fn hub() -> (Store, PassKey) {
        let mut store = Store::open_in_memory().unwrap();
        store
            .init_site(&NewSite {
                name: "Hub".into(),
                time_zone: "Europe/London".into(),
                safe_capacity: 40,
                retention_days: 30,
            })
            .unwrap();
        (store, PassKey::from_secret([7; 32]))
    }

    #[test]
    fn a_european_spreadsheet_with_a_bom_semicolons_quotes_and_accents_is_read() {
        let file = "\u{feff}Nom;First name;Last name;E-mail;Role\n\
                    x;Siân;O'Brien;sian@example.org;member\n\
                    x;\"Łukasz; Jr\";Żółć;;host\n\
                    \n\
                    x;Ana;\"Núñez \"\"Nana\"\"\";;\n";
        let rows = read_people_csv(file.as_bytes()).unwrap();
        let got: Vec<_> =
            rows.iter().map(|row| (row.line, row.name.as_str(), row.role.as_str(), row.contact.as_str())).collect();
        assert_eq!(
            got,
            [
                (2, "Siân O'Brien", "member", "sian@example.org"),
                (3, "Łukasz; Jr Żółć", "host", ""),
                (5, "Ana Núñez \"Nana\"", "", ""),
            ]
        );
    }

    #[test]
    fn files_that_cannot_be_read_say_which_line() {
        let latin1 = b"name,role\nSi\xe2n,member\n";
        let error = read_people_csv(latin1).unwrap_err().to_string();
        assert!(error.contains("line 2") && error.contains("CSV UTF-8"), "{error}");
        let error = read_people_csv(b"email,phone\na@b,1\n").unwrap_err().to_string();
        assert!(error.contains("line 1") && error.contains("\"name\""), "{error}");
        let error = read_people_csv(b"name\n\"unclosed\nquote").map(|rows| rows.len());
        assert!(error.is_ok() || error.unwrap_err().to_string().contains("line"));
    }

    #[test]
    fn rows_are_added_updated_matched_refused_and_reported_by_line() {
        let (mut store, key) = hub();
        let known = store
            .add_person(
                &NewPerson {
                    display_name: "Yusuf Ali".into(),
                    contact: None,
                    role: Role::Visitor,
                    rules_version: None,
                },
                now(),
            )
            .unwrap();
        let by_mail = store
            .add_person(
                &NewPerson {
                    display_name: "M. Chen".into(),
                    contact: Some("mei@example.org".into()),
                    role: Role::Member,
                    rules_version: None,
                },
                now(),
            )
            .unwrap();
        store.add_staff("Sam Taylor", &"2468".parse().unwrap(), now()).unwrap();
        let host =
            NewPerson { display_name: "Rhodri Host".into(), contact: None, role: Role::Host, rules_version: None };
        let host = store.add_person(&host, now()).unwrap();
        let file = "name,role,contact\n\
                    Ada Lovelace,,ada@example.org\n\
                    yusuf  ALI,member,\n\
                    Mei Chen,member,MEI@example.org\n\
                    Ada L.,member,ada@example.org\n\
                    ,member,\n\
                    Grace,boss,\n\
                    Sam Taylor,member,\n\
                    Rhiannon Evans,staff,\n\
                    Tomasz Nowak,host,\n\
                    Rhodri Host,,\n";
        let rows = read_people_csv(file.as_bytes()).unwrap();

        let dry = store.import_people(&key, &rows, true, now()).unwrap();
        assert_eq!(store.people(None).unwrap().len(), 4, "a dry run keeps nothing");
        assert!(dry.passes.is_empty());
        let done = store.import_people(&key, &rows, false, now()).unwrap();
        let outcomes =
            |import: &PeopleImport| import.rows.iter().map(|row| (row.line, row.outcome.clone())).collect::<Vec<_>>();
        let ada = store.person_by_name_or_id("Ada Lovelace").unwrap().id;
        let tomasz = store.person_by_name_or_id("Tomasz Nowak").unwrap().id;
        assert_eq!(
            outcomes(&done),
            [
                (2, RowOutcome::Added { person: ada }),
                (3, RowOutcome::Updated { person: known.id, changed: vec!["role"] }),
                (4, RowOutcome::Unchanged { person: by_mail.id }),
                (5, RowOutcome::Duplicate { first_line: 2 }),
                (6, RowOutcome::Refused { refusal: RowRefusal::NoName }),
                (7, RowOutcome::Refused { refusal: RowRefusal::UnknownRole { role: "boss".into() } }),
                (8, RowOutcome::Refused { refusal: RowRefusal::IsStaff }),
                (9, RowOutcome::Refused { refusal: RowRefusal::Staff }),
                (10, RowOutcome::Added { person: tomasz }),
                (11, RowOutcome::Unchanged { person: host.id }),
            ]
        );
        assert_eq!(done.counts(), [2, 1, 2, 1, 4]);
        // The dry run said the same, with the ids the real run then used.
        assert_eq!(dry.counts(), done.counts());
        assert_eq!(store.person(known.id).unwrap().role, Role::Member);
        // Only the new member gets a pass (a host is not a member), and it checks in.
        assert_eq!(done.passes.len(), 1);
        let (person, name, pass) = &done.passes[0];
        assert_eq!((*person, name.as_str()), (ada, "Ada Lovelace"));
        assert!(store.verify_pass(&key, &pass.payload, now()).unwrap().is_ok());

        // The same file again changes nothing.
        let again = store.import_people(&key, &rows, false, now()).unwrap();
        assert_eq!(again.counts(), [0, 0, 5, 1, 4]);
    }

    #[test]
    fn a_name_shared_by_two_people_is_not_guessed() {
        let (mut store, key) = hub();
        for _ in 0..2 {
            let new =
                NewPerson { display_name: "Sam Jones".into(), contact: None, role: Role::Visitor, rules_version: None };
            store.add_person(&new, now()).unwrap();
        }
        let rows = read_people_csv(b"name,role\nSam Jones,member\n").unwrap();
        let import = store.import_people(&key, &rows, false, now()).unwrap();
        assert!(matches!(import.rows[0].outcome, RowOutcome::Added { .. }), "a third, rather than change one of two");
    }
}
