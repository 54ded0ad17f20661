//! The command line: every part of the hub, usable and scriptable before (and beside) the touchscreen.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "kiosk",
    version,
    about = "Hub Kiosk: check-in, room booking and drop-in surgeries for a community hub"
)]
pub struct Cli {
    /// The hub's data folder (database and pass key). Default: the configuration's data_dir (/var/lib/hub-kiosk
    /// on a configured device), else the user's data folder.
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// The hub's data on a PostgreSQL server that several kiosks share ("postgres://kiosk@db.example.org/hubs").
    /// Default: the configuration's [database] url, else the database file in the data folder.
    #[arg(long, global = true, value_name = "URL")]
    pub database: Option<String>,
    /// The site of the shared database this kiosk is at, by its code ("north-library"). Default: the
    /// configuration's [database] site, else the database's first site.
    #[arg(long, global = true, value_name = "CODE")]
    pub site: Option<String>,
    /// The kiosk's configuration file. Default: /etc/hub-kiosk/kiosk.toml, when it exists.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print results as JSON for scripts.
    #[arg(long, global = true)]
    pub json: bool,
    /// Pretend it is this local time ("2027-03-30 10:00"): for demos and tests.
    #[arg(long, global = true, hide = true, value_name = "WHEN")]
    pub now: Option<String>,
    /// What to do; with none, the kiosk opens its touchscreen app (`kiosk run`).
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the touchscreen app (the default when no command is given).
    Run(RunArgs),
    /// Set up a new hub in the data folder.
    Init(InitArgs),
    /// Fill the hub with a realistic demo: rooms, hosts, a week of bookings and surgeries.
    Demo,
    /// Show or change the hub's settings and opening hours.
    #[command(subcommand)]
    Site(SiteCommand),
    /// Add and list rooms.
    #[command(subcommand)]
    Room(RoomCommand),
    /// Book a room, once or repeating.
    Book(BookArgs),
    /// Cancel a booking (or, with --series, the rest of its series).
    Cancel {
        booking: i64,
        /// Cancel every later occurrence of this booking's series too.
        #[arg(long)]
        series: bool,
        /// Why, in words the person it was for will read (they are told, if they agreed to be contacted).
        #[arg(long, conflicts_with = "series")]
        reason: Option<String>,
    },
    /// Move one booking (or one occurrence of a series) to a new time in the same room.
    Move {
        booking: i64,
        /// Without --end or --duration the booking keeps its length.
        #[command(flatten)]
        time: TimeRangeArgs,
    },
    /// List a day's bookings.
    Bookings {
        #[arg(long, default_value = "today")]
        date: String,
    },
    /// Free time in every room on a day.
    Availability {
        #[arg(long, default_value = "today")]
        date: String,
    },
    /// Drop-in advice sessions: add, list, book seats, run the queue.
    #[command(subcommand)]
    Surgery(SurgeryCommand),
    /// Events with places (a meet-up, a workshop): add, list, register people, see who came, call off.
    #[command(subcommand)]
    Event(EventCommand),
    /// An unconference day: open its grid of rooms × times, propose and vote for sessions, fill the grid, move,
    /// merge and add sessions, and see the board.
    #[command(subcommand)]
    Unconference(UnconferenceCommand),
    /// Add and list people.
    #[command(subcommand)]
    Person(PersonCommand),
    /// Issue and revoke passes (the QR codes people scan).
    #[command(subcommand)]
    Pass(PassCommand),
    /// Do exactly what the kiosk does when a code is scanned.
    Scan { payload: String },
    /// Register a walk-in visitor: they get a day pass and are checked in.
    WalkIn(WalkInArgs),
    /// Check a person out by hand.
    CheckOut { person: String },
    /// People on site, capacity, rooms now and next, arrivals per hour.
    Occupancy,
    /// Everyone on site now: the evacuation list.
    RollCall,
    /// Write the whole hub: one JSON document (to standard output or --out FILE), or with --format csv one
    /// spreadsheet file per table into the folder --out DIR.
    Export {
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
        #[arg(long, value_name = "FILE_OR_DIR")]
        out: Option<PathBuf>,
    },
    /// Load a JSON export into an empty data folder. A bad file is refused and nothing is written.
    Import { file: PathBuf },
    /// Write a calendar file (.ics) for Google, Outlook or Thunderbird: one room's bookings, the drop-in sessions,
    /// or everything.
    Ics(IcsArgs),
    /// Erase visitors' personal data older than the hub's retention period, keeping anonymous counts. The kiosk
    /// also does this by itself every day.
    Purge,
    /// Copy the hub's data, checked, into a backup folder and remove backups that are too many or too old.
    Backup {
        /// Where to put it: a folder, for example on a USB stick. Default: "backups" in the data folder.
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
        /// How many backups to keep (backups older than the retention period go anyway).
        #[arg(long, default_value_t = 14)]
        keep: usize,
    },
    /// Replace the hub's data with a backup (a copy of the current data is backed up first). Without FILE, lists
    /// the backups in the backup folder.
    Restore {
        file: Option<PathBuf>,
        /// The backup folder to list. Default: "backups" in the data folder.
        #[arg(long, value_name = "DIR")]
        from: Option<PathBuf>,
    },
    /// Staff and host PINs. PINs are read from standard input, never from the command line.
    #[command(subcommand)]
    Staff(StaffCommand),
    /// The kiosk's configuration file: an example, a check, and the system files made from it.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Messages to people (hosts told their visitor has arrived): what is waiting, sent or failed, and a test.
    #[command(subcommand)]
    Notify(NotifyCommand),
    /// Room calendars kept elsewhere (Google, Outlook, another booking system): import a file, fetch the feeds
    /// in the configuration file now, see what they block and where they land on bookings.
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// Serve the hub's web pages (public, host and staff) and the JSON API, without the touchscreen.
    Serve {
        /// The address to listen on. Default: the configuration's server.listen, else 127.0.0.1:8080 (this machine
        /// only); name another address, such as 0.0.0.0:8080, to open it to the network.
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
    },
    /// Door sensors: watch them live while wiring, or rehearse a script of pin changes.
    #[command(subcommand)]
    Sensors(SensorsCommand),
    /// Check this device before (and after) going live: configuration, data folder, GPIO, scanner, screen, clock,
    /// disk space and backups, each with what to do about it.
    Doctor,
}

#[derive(Debug, Subcommand)]
pub enum SensorsCommand {
    /// Print every event from the configured sensors as it happens (Ctrl+C stops): for wiring a door.
    Watch,
    /// Play a script of timed pin changes ("SECONDS PIN high|low" per line) through the configured sensors (or
    /// the demo's) and print what the kiosk would record. Nothing is stored.
    Simulate { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print a fully commented example configuration (save it as /etc/hub-kiosk/kiosk.toml and edit it).
    Example,
    /// Check the configuration file and say exactly what to fix.
    Check,
    /// Show the system files the configuration makes (systemd unit, udev rules, config.txt block).
    Render,
    /// Write the system files (showing what changes) and bring the hub's settings in line with the file.
    Apply {
        /// Show what would change, and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Write under this folder instead of / (to look at the result, or to prepare an SD card).
        #[arg(long, value_name = "DIR", default_value = "/")]
        root: PathBuf,
    },
}

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Fill an empty data folder with the demo hub first, so there is something to try.
    #[arg(long)]
    pub demo: bool,
    /// Window size on a desktop, WIDTHxHEIGHT: 800x480 (the original Pi screen), 720x1280 (portrait), 1280x800.
    #[arg(long, default_value = "800x480", value_parser = parse_size)]
    pub size: (u32, u32),
    /// Seconds without a touch before the kiosk goes back to the Welcome screen. Default: the configuration's
    /// display.idle_seconds (60).
    #[arg(long)]
    pub idle_seconds: Option<u64>,
    /// The QR scanner's input device, e.g. /dev/input/by-id/usb-…-event-kbd. Read directly and grabbed, so scans
    /// never land in a text field. Without it, scans arrive as key presses in the window.
    #[arg(long, value_name = "DEVICE")]
    pub scanner: Option<PathBuf>,
    /// Simulate the configured door sensors instead of reading GPIO (with --demo and no sensors configured, the
    /// demo's own). F5/F6 walk someone in/out, F7 opens or closes the door, F8 is motion.
    #[arg(long)]
    pub simulate_sensors: bool,
    /// Drive the simulated sensors from a script of timed pin changes (see `kiosk sensors simulate`).
    #[arg(long, value_name = "FILE")]
    pub sensors_script: Option<PathBuf>,
    /// Quit after the event loop's first turn, which draws the first frame: start-up is measured with it
    /// (kiosk/benches/first_frame.rs).
    #[arg(long, hide = true)]
    pub exit_after_first_frame: bool,
}

impl Default for RunArgs {
    fn default() -> Self {
        RunArgs {
            demo: false,
            size: (800, 480),
            idle_seconds: None,
            scanner: None,
            simulate_sensors: false,
            sensors_script: None,
            exit_after_first_frame: false,
        }
    }
}

fn parse_size(text: &str) -> Result<(u32, u32), String> {
    let (width, height) = text.split_once(['x', 'X']).ok_or("write the size like 800x480")?;
    let parse = |value: &str| value.trim().parse::<u32>().ok().filter(|v| (200..=8000).contains(v));
    match (parse(width), parse(height)) {
        (Some(width), Some(height)) => Ok((width, height)),
        _ => Err(format!("\"{text}\" is not a screen size: write it like 800x480")),
    }
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The hub's name, e.g. "Riverside Hub".
    /// The hub's name. Without --name and --time-zone, the configuration file's [site] is used.
    #[arg(long, requires = "time_zone")]
    pub name: Option<String>,
    /// IANA time zone, e.g. Europe/London.
    #[arg(long, requires = "name")]
    pub time_zone: Option<String>,
    /// The most people the building may hold (fire limit).
    #[arg(long, default_value_t = 60)]
    pub safe_capacity: u32,
    /// Days visitors' personal data is kept.
    #[arg(long, default_value_t = 30)]
    pub retention_days: u32,
}

/// When something happens: a local start, and an end or a length.
#[derive(Debug, Args)]
pub struct TimeRangeArgs {
    /// Local start: "2027-03-30 10:00", "tomorrow 10:00" or "10:00" (today).
    #[arg(long)]
    pub start: String,
    /// Local end: "11:30" (same day) or a full date and time.
    #[arg(long, conflicts_with = "duration")]
    pub end: Option<String>,
    /// Length instead of an end: 45m, 1h, 1h30m.
    #[arg(long)]
    pub duration: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    /// The hub's settings, weekly hours and closures.
    Show,
    /// Every site in the hub's database (a network's hubs), with the code a kiosk names it by.
    List,
    /// Set a weekday's hours: `kiosk site hours mon 09:00-17:00`, or `closed`.
    Hours { weekday: String, hours: String },
    /// Close the hub on a date: `kiosk site close 2027-12-25 "Christmas Day"`.
    Close { date: String, reason: String },
    /// Open or close joining on the web (`/join`): people give their name and e-mail, confirm by a link, and get a
    /// member pass by e-mail. Needs `[notify.email]`.
    SignUp { state: OnOff },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

#[derive(Debug, Subcommand)]
pub enum RoomCommand {
    Add(RoomAddArgs),
    List,
}

#[derive(Debug, Args)]
pub struct RoomAddArgs {
    pub name: String,
    #[arg(long)]
    pub capacity: u32,
    /// A feature tag such as projector or step-free; repeat for more.
    #[arg(long = "feature")]
    pub features: Vec<String>,
    /// Minutes kept free between bookings.
    #[arg(long, default_value_t = 0)]
    pub buffer: u32,
    /// Shortest booking, e.g. 15m.
    #[arg(long, default_value = "15m")]
    pub min: String,
    /// Longest booking, e.g. 8h.
    #[arg(long, default_value = "8h")]
    pub max: String,
    #[arg(long, default_value_t = 90)]
    pub advance_days: u32,
    /// Shown on the kiosk but not bookable (a café, a corridor).
    #[arg(long)]
    pub not_bookable: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// One versioned JSON document with every table (see docs/data.md); imports again.
    Json,
    /// One CSV file per table, for spreadsheets.
    Csv,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("feed").required(true).args(["room", "surgeries", "all"])))]
pub struct IcsArgs {
    /// One room's bookings.
    #[arg(long, value_name = "NAME")]
    pub room: Option<String>,
    /// The drop-in sessions.
    #[arg(long)]
    pub surgeries: bool,
    /// Every room and every drop-in session.
    #[arg(long)]
    pub all: bool,
    /// Leave out events that ended before this date. Default: 90 days ago.
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RepeatChoice {
    Weekly,
    Fortnightly,
    /// On the same weekday of each month (e.g. the second Tuesday).
    Monthly,
}

#[derive(Debug, Args)]
pub struct BookArgs {
    #[arg(long)]
    pub room: String,
    #[command(flatten)]
    pub time: TimeRangeArgs,
    #[arg(long, default_value = "Booking")]
    pub title: String,
    /// Who is booking (name or #number).
    #[arg(long)]
    pub by: Option<String>,
    /// Who it is for (name or #number), if not the person booking.
    #[arg(long = "for")]
    pub for_person: Option<String>,
    /// Show the title on the room's display and the lobby's (otherwise they say "Booked").
    #[arg(long)]
    pub public: bool,
    #[command(flatten)]
    pub repeat: RepeatArgs,
}

/// How a booking or an event repeats.
#[derive(Debug, Args)]
pub struct RepeatArgs {
    /// Repeat it.
    #[arg(long, requires = "until")]
    pub repeat: Option<RepeatChoice>,
    /// With --repeat weekly: every N weeks (2 = fortnightly).
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub every: u32,
    /// The last date it repeats on.
    #[arg(long)]
    pub until: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum EventCommand {
    /// Plan an event in a room (its room is booked, every booking rule applies).
    Add(EventAddArgs),
    /// Events on a day (default today), or this week with --week, with their free places.
    List {
        #[arg(long, default_value = "today")]
        date: String,
        #[arg(long)]
        week: bool,
    },
    /// Register someone: a person the hub knows (--person NAME or #number), someone new by name (--name; they get a
    /// day pass), or the holder of a pass (--pass CODE). --wait joins a full event's waiting list.
    Register {
        event: i64,
        #[command(flatten)]
        who: WhoArgs,
        #[arg(long)]
        wait: bool,
    },
    /// Give up a place (numbers are in `event attendees`); the first waiting moves up and is told.
    Leave { place: i64 },
    /// Who is registered, who came, who is waiting.
    Attendees { event: i64 },
    /// Call an event off: its room is freed and everyone registered or waiting is told why.
    Cancel {
        event: i64,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UnconferenceCommand {
    /// Open a day: every room is booked for every time block (all or none).
    Open {
        #[arg(long)]
        title: String,
        /// The day: YYYY-MM-DD, today or tomorrow.
        #[arg(long, default_value = "today")]
        date: String,
        /// Who runs it: a host or staff member (name or #number).
        #[arg(long)]
        organiser: String,
        /// The rooms, by name, in the order the grid shows them, separated by commas.
        #[arg(long, value_delimiter = ',', required = true)]
        rooms: Vec<String>,
        /// The time blocks, earliest first, separated by commas: 10:00-11:00,11:15-12:15
        #[arg(long, value_delimiter = ',', required = true)]
        blocks: Vec<String>,
    },
    /// Unconference days from a day on (default today).
    List {
        #[arg(long, default_value = "today")]
        from: String,
    },
    /// Propose a session for day DAY: by someone the hub knows (--person), someone new by name (--name; they get a
    /// day pass to vote with), or a pass holder (--pass). The organiser may put it straight on the grid (--room and
    /// --block).
    Propose {
        day: i64,
        #[arg(long)]
        title: String,
        /// One line about it.
        #[arg(long, default_value = "")]
        line: String,
        #[command(flatten)]
        who: WhoArgs,
        #[arg(long, requires = "block")]
        room: Option<String>,
        /// The time block, counted from 1 (the earliest).
        #[arg(long, requires = "room")]
        block: Option<usize>,
    },
    /// One vote for a proposal, by a pass holder (--pass) or someone the hub knows (--person).
    Vote {
        proposal: i64,
        #[command(flatten)]
        who: WhoArgs,
    },
    /// Place every proposal the organiser has not pinned: more votes, an earlier block and a bigger room.
    Fill { day: i64 },
    /// Put a proposal in a room and time block by hand (it stays there when the grid is filled), or take it off
    /// the grid with --off.
    Place {
        proposal: i64,
        #[arg(long, requires = "block", conflicts_with = "off")]
        room: Option<String>,
        /// The time block, counted from 1 (the earliest).
        #[arg(long, requires = "room")]
        block: Option<usize>,
        #[arg(long)]
        off: bool,
    },
    /// Merge a proposal into another on the same subject: its votes count there, once per person.
    Merge {
        proposal: i64,
        #[arg(long)]
        into: i64,
    },
    /// The day's grid, and the proposals not on it.
    Board { day: i64 },
}

/// Who does it: one of a person the hub knows, a newcomer's name, or a pass.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct WhoArgs {
    /// Someone the hub knows (name or #number).
    #[arg(long)]
    pub person: Option<String>,
    /// Someone new, by name.
    #[arg(long)]
    pub name: Option<String>,
    /// The text of a pass (its QR code).
    #[arg(long)]
    pub pass: Option<String>,
}

#[derive(Debug, Args)]
pub struct EventAddArgs {
    #[arg(long)]
    pub room: String,
    #[command(flatten)]
    pub time: TimeRangeArgs,
    #[arg(long)]
    pub title: String,
    /// One line about it, for the public pages and the displays.
    #[arg(long, default_value = "")]
    pub description: String,
    /// Who runs it (a host or staff member: name or #number).
    #[arg(long)]
    pub host: Option<String>,
    /// How many places it has (each time, when it repeats).
    #[arg(long)]
    pub places: u32,
    #[command(flatten)]
    pub repeat: RepeatArgs,
}

#[derive(Debug, Subcommand)]
pub enum SurgeryCommand {
    Add(SurgeryAddArgs),
    /// Surgeries on a day (default today), or this week with --week, with free seats per slot.
    List {
        #[arg(long, default_value = "today")]
        date: String,
        #[arg(long)]
        week: bool,
    },
    /// Book a seat in a slot (slot numbers are in `surgery list`).
    Book {
        slot: i64,
        #[arg(long)]
        person: String,
        /// Join the waiting list if the slot is full.
        #[arg(long)]
        wait: bool,
    },
    /// Give up a seat; the next person waiting moves up.
    Cancel {
        seat: i64,
    },
    /// Call off a whole session: every place in it is cancelled, the public page shows the reason, and the people
    /// booked are told it (by e-mail, if they agreed to be contacted).
    CallOff {
        session: i64,
        /// Why, in words the people booked will read.
        #[arg(long)]
        reason: String,
    },
    /// The walk-in queue of a surgery.
    #[command(subcommand)]
    Queue(QueueCommand),
}

#[derive(Debug, Args)]
pub struct SurgeryAddArgs {
    #[arg(long)]
    pub topic: String,
    /// The host (name or #number).
    #[arg(long)]
    pub host: String,
    #[arg(long)]
    pub place: String,
    #[command(flatten)]
    pub time: TimeRangeArgs,
    /// Length of each slot, e.g. 20m.
    #[arg(long, default_value = "30m")]
    pub slot: String,
    /// Seats per slot: how many advisers.
    #[arg(long, default_value_t = 1)]
    pub seats: u32,
}

#[derive(Debug, Subcommand)]
pub enum QueueCommand {
    /// Show the queue.
    Show { surgery: i64 },
    /// Take a numbered ticket.
    Take {
        surgery: i64,
        #[arg(long)]
        person: Option<String>,
    },
    /// Call the next ticket.
    Call { surgery: i64 },
    /// Mark a ticket as seen.
    Seen { ticket: i64 },
    /// Mark a ticket as a no-show.
    NoShow { ticket: i64 },
}

#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// How many messages wait, went and failed, and the newest ones.
    Status,
    /// Send a test now, by e-mail through `[notify.email]` or to a `[[notify.webhook]]`, and say in plain words
    /// what failed, if anything.
    Test {
        /// The e-mail address to send it to.
        #[arg(long, required_unless_present = "webhook", conflicts_with = "webhook")]
        to: Option<String>,
        /// The name of the webhook to post it to.
        #[arg(long)]
        webhook: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// Read an iCalendar file (.ics) into a room: its events, repeats included, make the room busy. Importing a
    /// file of the same name again replaces what it gave. A file that cannot be read changes nothing.
    Import {
        file: PathBuf,
        /// The room it is for, as `kiosk room list` names it.
        #[arg(long)]
        room: String,
        /// What to call it (default: the file's name).
        #[arg(long)]
        name: Option<String>,
    },
    /// Every calendar: its room, when it was last read, why the last fetch failed, how many busy times it gives,
    /// and which of them land on bookings.
    Status,
    /// Take the configuration file's [[calendars]] and fetch every feed now.
    Refresh,
    /// Remove an imported calendar and the busy times it gave (a subscription goes from the configuration file).
    Remove { name: String },
}

#[derive(Debug, Subcommand)]
pub enum PersonCommand {
    Add {
        name: String,
        #[arg(long, default_value = "visitor")]
        role: String,
        /// An email or phone number, if they want to be contacted.
        #[arg(long)]
        contact: Option<String>,
    },
    List {
        #[arg(long)]
        role: Option<String>,
    },
    /// Load people from a spreadsheet saved as CSV. The first line names the columns: name (or first name and last
    /// name), and role and contact (or email) if the file has them. Prints what became of each line: added,
    /// updated, already here, a duplicate, or refused and why. New members get passes, on printable sheets.
    Import {
        file: PathBuf,
        /// Say what would happen, and keep nothing.
        #[arg(long)]
        dry_run: bool,
        /// Where to write the pass sheets (PNG pages of A4). Default: passes/ in the data folder.
        #[arg(long, value_name = "DIR")]
        sheets: Option<PathBuf>,
    },
    /// Everything the hub holds about one person, as JSON: the answer to a subject-access request.
    Export {
        person: String,
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// How to reach a person: their e-mail address, whether they agree to be contacted there (recorded with
    /// today's date), and the language they read. Only people who agreed get messages.
    Contact {
        person: String,
        /// Their e-mail address.
        #[arg(long, required_unless_present = "withdraw")]
        email: Option<String>,
        /// They agree to be contacted at this address (ask them first).
        #[arg(long, conflicts_with = "withdraw")]
        agree: bool,
        /// They no longer want messages: nothing more is sent, and what waits is dropped.
        #[arg(long)]
        withdraw: bool,
        /// The language they read: en, cy, pl or uk. Default: the hub's first.
        #[arg(long)]
        language: Option<String>,
    },
    /// Erase a person's name and contact everywhere (the right to erasure). Their past bookings stay, anonymous;
    /// bookings still to come are cancelled.
    Erase {
        person: String,
        /// Confirm: erasure cannot be undone.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PassKindChoice {
    Day,
    Member,
    Booking,
}

#[derive(Debug, Subcommand)]
pub enum PassCommand {
    /// Issue a pass and write its QR code as PNG and SVG.
    Issue {
        /// Whose pass (name or #number).
        person: String,
        #[arg(long, value_enum, default_value = "member")]
        kind: PassKindChoice,
        /// The booking a booking pass is for.
        #[arg(long, required_if_eq("kind", "booking"))]
        booking: Option<i64>,
        /// On a network's database: a member's pass that works at this kiosk's site only (a day or booking pass
        /// always does).
        #[arg(long)]
        only_here: bool,
        /// Where to write the images, without extension. Default: passes/pass-<number> in the data folder.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Cancel a pass for good (a lost card).
    Revoke { pass: i64 },
}

#[derive(Debug, Args)]
pub struct WalkInArgs {
    pub name: String,
    /// What brings them: visiting, surgery, event, working or other.
    #[arg(long, default_value = "other")]
    pub reason: String,
    /// Who they are visiting (name or #number); that person is told.
    #[arg(long)]
    pub visiting: Option<String>,
    #[arg(long)]
    pub contact: Option<String>,
    /// They have read and agreed to the house rules.
    #[arg(long, required = true)]
    pub agree: bool,
}

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Add a staff member; their PIN is read from standard input.
    Add { name: String },
    /// Set the PIN of a host or staff member (from standard input).
    SetPin { person: String },
    /// Check a PIN (from standard input), as the kiosk's staff screen does.
    PinCheck { person: String },
    /// Unlock a locked account; the helping staff member's PIN is read from standard input.
    Unlock {
        person: String,
        #[arg(long)]
        by: String,
    },
    /// Let a staff member's PIN open the staff view at every site of the network (--off: this site's only).
    Network {
        person: String,
        #[arg(long)]
        off: bool,
    },
}
