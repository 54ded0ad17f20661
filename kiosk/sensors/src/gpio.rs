//! Real GPIO on the Raspberry Pi through rppal: inputs with their pull resistors, and edge interrupts (with
//! rppal's debounce) that rppal calls on its own thread; each edge is sent into the tokio task's channel.
//! This is the only module that names rppal: switching to the maintained fork `rpi-pal` changes the `use` below.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use rppal::gpio::{Gpio, InputPin, Trigger};
use tokio::sync::mpsc::UnboundedSender;

use super::{DoorInput, PinChange, PinSetup, Pull};

/// The Pi's GPIO, with the input pins kept open (their interrupts stop when they are dropped).
#[derive(Debug)]
pub struct PiGpio {
    gpio: Gpio,
    inputs: Vec<InputPin>,
}

impl PiGpio {
    /// Opens the GPIO, or says plainly why it cannot (on anything but a Pi: "unknown model").
    pub fn open() -> Result<PiGpio, String> {
        match Gpio::new() {
            Ok(gpio) => Ok(PiGpio { gpio, inputs: Vec::new() }),
            Err(rppal::gpio::Error::UnknownModel) => {
                Err("this is not a Raspberry Pi, so there is no GPIO to read".into())
            }
            Err(rppal::gpio::Error::PermissionDenied(path)) => {
                Err(format!("the GPIO ({path}) cannot be opened: the kiosk's user must be in the gpio group"))
            }
            Err(error) => Err(format!("the GPIO cannot be opened: {error}")),
        }
    }
}

impl DoorInput for PiGpio {
    fn start(&mut self, pins: &[PinSetup], changes: UnboundedSender<PinChange>) -> Result<BTreeMap<u8, bool>> {
        let mut levels = BTreeMap::new();
        for setup in pins {
            let pin = self.gpio.get(setup.pin).with_context(|| format!("GPIO {} cannot be used", setup.pin))?;
            let mut input = match setup.pull {
                Pull::Up => pin.into_input_pullup(),
                Pull::Down => pin.into_input_pulldown(),
                Pull::Off => pin.into_input(),
            };
            levels.insert(setup.pin, input.is_high());
            let (number, sender) = (setup.pin, changes.clone());
            input
                .set_async_interrupt(Trigger::Both, Some(setup.debounce), move |event| {
                    // The receiver is gone only when the kiosk is closing.
                    let _ = sender.send(PinChange { pin: number, high: event.trigger == Trigger::RisingEdge });
                })
                .with_context(|| format!("GPIO {} cannot watch for changes", setup.pin))?;
            self.inputs.push(input);
        }
        Ok(levels)
    }
}
