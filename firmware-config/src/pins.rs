//! The Raspberry Pi's 40-pin header in BCM numbers: which GPIOs a sensor may use, and which belong to something
//! else. Same on every Pi with a 40-pin header (Pi 1 B+ to Pi 5).

/// The highest GPIO on the header.
pub const MAX_PIN: u8 = 27;

/// Free GPIOs to suggest, in the order an installer is most likely to find them convenient.
pub const SUGGESTED: &[u8] = &[17, 22, 27, 23, 24, 25, 5, 6, 16, 26, 12, 13];

/// Interfaces that can be switched on in config.txt, and the GPIOs each takes.
pub const INTERFACES: &[(&str, &[u8])] = &[
    ("i2c", &[2, 3]),
    ("spi", &[7, 8, 9, 10, 11]),
    ("uart", &[14, 15]),
    ("one_wire", &[4]),
    ("i2s", &[18, 19, 20, 21]),
];

/// The 40-pin header by position (pin 1 is the one with a square pad, nearest the SD card end): what each pin is.
/// `Gpio(n)` is BCM GPIO n.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderPin {
    Power3v3,
    Power5v,
    Ground,
    Gpio(u8),
}

pub const HEADER: [HeaderPin; 40] = {
    use HeaderPin::{Gpio, Ground as G, Power3v3 as V3, Power5v as V5};
    [
        V3,
        V5,
        Gpio(2),
        V5,
        Gpio(3),
        G,
        Gpio(4),
        Gpio(14),
        G,
        Gpio(15),
        Gpio(17),
        Gpio(18),
        Gpio(27),
        G,
        Gpio(22),
        Gpio(23),
        V3,
        Gpio(24),
        Gpio(10),
        G,
        Gpio(9),
        Gpio(25),
        Gpio(11),
        Gpio(8),
        G,
        Gpio(7),
        Gpio(0),
        Gpio(1),
        Gpio(5),
        G,
        Gpio(6),
        Gpio(12),
        Gpio(13),
        G,
        Gpio(19),
        Gpio(16),
        Gpio(26),
        Gpio(20),
        G,
        Gpio(21),
    ]
};

/// The header position (1 to 40) of BCM GPIO `gpio`.
pub fn header_pin(gpio: u8) -> Option<u8> {
    HEADER.iter().position(|pin| *pin == HeaderPin::Gpio(gpio)).map(|index| index as u8 + 1)
}

/// What a pin does, in words for an installer: "I²C SDA", "SPI CE0".
pub fn role(pin: u8) -> Option<&'static str> {
    Some(match pin {
        0 => "ID_SD (HAT identification)",
        1 => "ID_SC (HAT identification)",
        2 => "I²C SDA",
        3 => "I²C SCL",
        4 => "1-Wire",
        7 => "SPI CE1",
        8 => "SPI CE0",
        9 => "SPI MISO",
        10 => "SPI MOSI",
        11 => "SPI SCLK",
        14 => "UART TX",
        15 => "UART RX",
        18 => "I²S clock",
        19 => "I²S frame",
        20 => "I²S data in",
        21 => "I²S data out",
        _ => return None,
    })
}

/// Why a sensor may not use `pin` when `interfaces` are switched on, if it may not.
pub fn reserved(pin: u8, interfaces: &[String]) -> Option<String> {
    if pin > MAX_PIN {
        return Some(format!("there is no GPIO {pin} on the header (GPIOs are 0 to {MAX_PIN})"));
    }
    if pin <= 1 {
        return Some(format!("GPIO {pin} is {}, kept for HATs", role(pin).unwrap_or("reserved")));
    }
    for (interface, pins) in INTERFACES {
        if pins.contains(&pin) && (*interface == "i2c" || interfaces.iter().any(|on| on == interface)) {
            // GPIO 2 and 3 carry fixed 1.8 kΩ pull-ups on the board for I²C: never a good sensor input.
            return Some(format!("GPIO {pin} is {}", role(pin).unwrap_or(interface)));
        }
    }
    None
}
