//! The `kiosk` binary. Exit codes: 0 done, 1 refused by a rule (the reason is printed), 2 bad input,
//! 3 the machine failed (disk, damaged database).

mod app;
mod calendar_feeds;
mod cli;
mod logging;

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use booking_core::{Database, StoreError};
use chrono::{DateTime, Utc};
use clap::Parser;
use kiosk_runtime::clock::Clock;
use kiosk_runtime::housekeeping::BackupPlan;
use kiosk_runtime::hub::{Hub, default_data_dir};
use kiosk_sensors::Source;
use kiosk_touchscreen::app::AppOptions;

use cli::args::{CalendarCommand, Cli, Command, ConfigCommand, NotifyCommand, RunArgs, SensorsCommand};
use cli::device::{self, Device};
use cli::report::Report;
use cli::{Invocation, commands, data, doctor, input, ownership};

fn main() -> ExitCode {
    let cli = Cli::parse();
    logging::init();
    match run(&cli) {
        Ok(report) => {
            let text =
                if cli.json { serde_json::to_string_pretty(&report.json).unwrap_or_default() } else { report.text };
            // A reader that stops early (`| head`) is not a failure of the command.
            let _ = writeln!(std::io::stdout(), "{text}");
            if report.refused { ExitCode::from(1) } else { ExitCode::SUCCESS }
        }
        Err(error) => {
            let bad_input = error
                .chain()
                .any(|cause| matches!(cause.downcast_ref(), Some(StoreError::Invalid(_) | StoreError::NotFound(_))));
            let message = match error.chain().find_map(|cause| cause.downcast_ref::<StoreError>()) {
                Some(StoreError::Invalid(message) | StoreError::NotFound(message)) => message.clone(),
                _ => format!("{error:#}"),
            };
            if cli.json {
                println!("{}", serde_json::json!({ "error": message }));
            }
            eprintln!("kiosk: {message}");
            if message.contains("not been set up yet") {
                eprintln!(
                    "  set it up first: kiosk init --name \"Your Hub\" --time-zone Europe/London (or kiosk demo)"
                );
            }
            ExitCode::from(if bad_input { 2 } else { 3 })
        }
    }
}

fn run(cli: &Cli) -> Result<Report> {
    let default_run = Command::Run(RunArgs::default());
    let command = cli.command.as_ref().unwrap_or(&default_run);
    // The doctor reports a broken configuration file as one of its findings, so it reads the file itself.
    if let Command::Doctor = command {
        return doctor::run(cli.config.as_deref(), cli.data.as_deref(), cli.database.as_deref(), cli.site.as_deref());
    }
    let device = match command {
        Command::Config(ConfigCommand::Example) => None,
        _ => device::load(cli.config.as_deref())?,
    };
    let dir = cli
        .data
        .clone()
        .or_else(|| device.as_ref().map(|device| device.config.data_dir()))
        .unwrap_or_else(default_data_dir);
    // Run as root (sudo), whatever the command makes in the kiosk's own data folder is the kiosk's user's.
    let owner = device.as_ref().filter(|device| device.config.data_dir() == dir).and_then(|_| ownership::when_root());
    let result = run_in(cli, command, device.as_ref(), &dir);
    if let Some(owner) = owner.filter(|_| dir.exists()) {
        match ownership::hand_over(&dir, &owner) {
            Ok(0) => {}
            Ok(handed) => eprintln!(
                "kiosk: this ran as root, so {handed} file(s) of root's in {} were handed over to {}, the user the \
                 kiosk runs as.",
                dir.display(),
                owner.name
            ),
            Err(error) => eprintln!(
                "kiosk: this ran as root, and {} could not be given to {}, the user the kiosk runs as ({error}). \
                 The kiosk cannot open root's files: run  sudo chown -R {1}: {0}",
                dir.display(),
                owner.name
            ),
        }
    }
    result
}

/// Runs `command` on the hub in `dir`.
fn run_in(cli: &Cli, command: &Command, device: Option<&Device>, dir: &std::path::Path) -> Result<Report> {
    if let Command::Config(command) = command {
        return cli::config::run(command, device, dir);
    }
    if let Command::Notify(NotifyCommand::Test { to, webhook }) = command {
        return cli::notify::test(device, to.as_deref(), webhook.as_deref());
    }
    let database = device.and_then(|device| device.config.database.as_ref());
    let server = cli.database.as_deref().or_else(|| database.map(|database| database.url.as_str()));
    let site = cli.site.as_deref().or_else(|| database?.site.as_deref());
    // Setting the hub up (or filling an empty one) opens it before the kiosk's site may be there.
    let mut hub = if matches!(command, Command::Init(_) | Command::Import { .. } | Command::Demo) {
        Hub::open_to_set_up(dir, server, site)?
    } else {
        Hub::open_on(dir, server, site)?
    };
    let now = current_time(cli, &hub)?;
    // Long-running commands tick on from `--now` (a demo's pretend day); one-shot commands use `now` itself.
    let clock = if cli.now.is_some() { Clock::starting_at(now) } else { Clock::System };
    match command {
        Command::Init(args) => return commands::init(&mut hub.store, args, site, device, now),
        Command::Import { file } => return data::import(&mut Invocation { hub: &mut hub, now }, file),
        Command::Demo => {
            let demo = kiosk_runtime::demo::run(&mut hub, now)?;
            return Ok(Report::done(demo.text, demo.json));
        }
        Command::Run(args) => return run_touchscreen(hub, clock, args, device),
        Command::Serve { listen } => {
            let languages =
                device.map_or_else(AppOptions::all_languages, |device| device.config.site.languages.clone());
            let listen = listen
                .or_else(|| device.and_then(Device::web_plan).map(|plan| plan.listen))
                .unwrap_or_else(|| std::net::SocketAddr::from(([127, 0, 0, 1], 8080)));
            let channels = device.map(Device::channels).transpose()?.flatten();
            app::serve(hub, clock, &languages, listen, channels)?;
            return Ok(Report::done("The web server has stopped.", serde_json::json!({ "stopped": true })));
        }
        Command::Sensors(SensorsCommand::Watch) => {
            return cli::sensors::watch(&hub, device, clock);
        }
        Command::Sensors(SensorsCommand::Simulate { file }) => {
            return cli::sensors::simulate(&hub, device, file);
        }
        _ => {}
    }
    let cx = &mut Invocation { hub: &mut hub, now };
    match command {
        Command::Init(_)
        | Command::Demo
        | Command::Run(_)
        | Command::Import { .. }
        | Command::Config(_)
        | Command::Sensors(_)
        | Command::Serve { .. }
        | Command::Doctor => unreachable!("handled above"),
        Command::Site(command) => commands::site(cx, command),
        Command::Room(command) => commands::room(cx, command),
        Command::Book(args) => commands::book(cx, args),
        Command::Cancel { booking, series, reason } => commands::cancel(cx, *booking, *series, reason.as_deref()),
        Command::Move { booking, time } => commands::move_booking(cx, *booking, time),
        Command::Bookings { date } => commands::bookings(cx, date),
        Command::Availability { date } => commands::availability(cx, date),
        Command::Surgery(command) => commands::surgery(cx, command),
        Command::Event(command) => cli::events::event(cx, command),
        Command::Unconference(command) => cli::unconference::unconference(cx, command),
        Command::Person(command) => commands::person(cx, command),
        Command::Pass(command) => commands::pass(cx, command),
        Command::Scan { payload } => commands::scan(cx, payload),
        Command::WalkIn(args) => commands::walk_in(cx, args),
        Command::CheckOut { person } => commands::check_out(cx, person),
        Command::Occupancy => commands::occupancy(cx),
        Command::RollCall => commands::roll_call(cx),
        Command::Export { format, out } => data::export(cx, *format, out.as_deref()),
        Command::Ics(args) => data::ics(cx, args),
        Command::Purge => data::purge(cx),
        Command::Backup { to, keep } => data::backup(cx, to.as_deref(), *keep),
        Command::Restore { file, from } => data::restore(cx, file.as_deref(), from.as_deref()),
        Command::Staff(command) => commands::staff(cx, command),
        Command::Notify(NotifyCommand::Status) => cli::notify::status(cx),
        Command::Notify(NotifyCommand::Test { .. }) => unreachable!("handled above"),
        Command::Calendar(CalendarCommand::Import { file, room, name }) => {
            cli::calendars::import(cx, file, room, name.as_deref())
        }
        Command::Calendar(CalendarCommand::Status) => cli::calendars::status(cx),
        Command::Calendar(CalendarCommand::Refresh) => cli::calendars::refresh(cx, device),
        Command::Calendar(CalendarCommand::Remove { name }) => cli::calendars::remove(cx, name),
    }
}

/// Opens the touchscreen app over `hub`; with `--demo`, an empty hub gets the demo first. Command-line flags win
/// over the configuration file, which wins over the defaults.
fn run_touchscreen(mut hub: Hub, clock: Clock, args: &RunArgs, device: Option<&Device>) -> Result<Report> {
    if args.demo && hub.store.rooms()?.is_empty() {
        kiosk_runtime::demo::run(&mut hub, clock.now())?;
    }
    eprintln!("kiosk: opening the touchscreen app. On a desktop, type a pass code and press Enter to scan it.");
    let config = device.map(|device| &device.config);
    let idle_seconds = args.idle_seconds.or(config.map(|config| u64::from(config.display.idle_seconds))).unwrap_or(60);
    let options = AppOptions {
        size: args.size,
        idle_after: Duration::from_secs(idle_seconds),
        languages: config.map_or_else(AppOptions::all_languages, |config| config.site.languages.clone()),
        brightness: config.and_then(|config| config.display.brightness.clone()),
    };
    let specs = cli::sensors::configured(device, args.demo);
    let sensors = if specs.is_empty() {
        None
    } else {
        let simulate = args.simulate_sensors || args.sensors_script.is_some() || args.demo;
        let source = match &args.sensors_script {
            Some(file) => {
                let text = std::fs::read_to_string(file)
                    .map_err(|error| input::bad_input(format!("could not read {}: {error}", file.display())))?;
                Source::Simulated(Some(
                    kiosk_sensors::parse_script(&text)
                        .map_err(|error| input::bad_input(format!("{}: {error}", file.display())))?,
                ))
            }
            None if simulate => Source::Simulated(None),
            None => Source::Gpio,
        };
        let required = config.is_some_and(|config| config.gpio.sensors_required);
        // Required sensors that cannot be read stop the kiosk before its window opens, with the reason.
        if let (Source::Gpio, true) = (&source, required)
            && let Err(reason) = kiosk_sensors::open_gpio()
        {
            anyhow::bail!("the door sensors are required (gpio.sensors_required) but cannot be read: {reason}");
        }
        Some(kiosk_sensors::plan_for(&hub, specs, source, required, clock)?)
    };
    let plan = app::RunPlan {
        options,
        scanner: args.scanner.clone().or_else(|| device.and_then(Device::scanner)),
        // A hub on a PostgreSQL server is backed up by the server, not by each kiosk.
        backups: matches!(hub.database, Database::File(_))
            .then(|| device.map_or_else(|| BackupPlan::daily(&hub.dir), |device| device.backup_plan(&hub.dir))),
        web: device.and_then(Device::web_plan),
        sensors,
        channels: device.map(Device::channels).transpose()?.flatten(),
        exit_after_first_frame: args.exit_after_first_frame,
    };
    app::run(hub, clock, plan)?;
    Ok(Report::done("The kiosk has closed.", serde_json::json!({ "closed": true })))
}

/// The clock lives here, at the edge: booking-core is always told the time.
fn current_time(cli: &Cli, hub: &Hub) -> Result<DateTime<Utc>> {
    let now = Utc::now();
    match &cli.now {
        None => Ok(now),
        Some(text) => {
            let zone = hub.store.site().map(|site| site.time_zone).unwrap_or(chrono_tz::UTC);
            input::parse_instant(text, zone, now)
        }
    }
}
