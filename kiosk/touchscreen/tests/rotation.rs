//! A turned screen: the picture is turned by Slint's software renderer (`SLINT_KMS_ROTATION`), the touches by the
//! libinput calibration matrix that `kiosk config apply` writes into the udev rules. Slint takes touches as the
//! panel reports them, scaled to the turned window, so the two must undo each other exactly.
//!
//! For both official screens and every rotation this renders a window with a button in each corner through Slint's
//! own renderer, reads which button is drawn at each corner of the panel, sends a touch at that corner of the panel
//! through the matrix (as libinput applies it) into the window, and checks the same button is pressed. The table in
//! docs/install-on-pi.md is written from what it measures (`UPDATE_GOLDEN=1` rewrites it).

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

use firmware_config::calibration_matrix;
use slint::ComponentHandle;
use slint::platform::software_renderer::{
    MinimalSoftwareWindow, PremultipliedRgbaColor, RenderingRotation, RepaintBufferType,
};
use slint::platform::{Platform, PointerEventButton, WindowAdapter, WindowEvent};

slint::slint! {
    component Corner inherits Rectangle {
        in property <string> name;
        callback touched(string);
        width: 60px;
        height: 60px;
        TouchArea { clicked => { root.touched(root.name); } }
    }

    export component Corners inherits Window {
        callback touched(string);
        background: black;
        Corner { x: 0; y: 0; name: "top left"; background: #f00; touched(name) => { root.touched(name); } }
        Corner { x: parent.width - self.width; y: 0; name: "top right"; background: #0f0; touched(name) => { root.touched(name); } }
        Corner { x: 0; y: parent.height - self.height; name: "bottom left"; background: #00f; touched(name) => { root.touched(name); } }
        Corner {
            x: parent.width - self.width; y: parent.height - self.height; name: "bottom right"; background: #ff0;
            touched(name) => { root.touched(name); }
        }
    }
}

struct Headless(Rc<MinimalSoftwareWindow>);

impl Platform for Headless {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, slint::PlatformError> {
        Ok(self.0.clone())
    }
}

/// The two official screens, by their panels' own (unturned) size.
const SCREENS: [(&str, u32, u32); 2] = [("Touch Display (7\")", 800, 480), ("Touch Display 2", 720, 1280)];
const ROTATIONS: [(u16, RenderingRotation); 4] = [
    (0, RenderingRotation::NoRotation),
    (90, RenderingRotation::Rotate90),
    (180, RenderingRotation::Rotate180),
    (270, RenderingRotation::Rotate270),
];

fn corner_drawn(pixel: PremultipliedRgbaColor) -> &'static str {
    match (pixel.red, pixel.green, pixel.blue) {
        (255, 0, 0) => "top left",
        (0, 255, 0) => "top right",
        (0, 0, 255) => "bottom left",
        (255, 255, 0) => "bottom right",
        other => panic!("no corner button drawn here: {other:?}"),
    }
}

/// What one screen at one rotation does: which corner of the picture each corner of the panel shows, and which
/// button a touch there presses.
struct Measured {
    window: (u32, u32),
    /// For the panel's top-left, top-right, bottom-left and bottom-right corners: (drawn, pressed).
    corners: Vec<(&'static str, String)>,
}

fn measure(
    adapter: &Rc<MinimalSoftwareWindow>,
    window: &Corners,
    panel: (u32, u32),
    turn: (u16, RenderingRotation),
) -> Measured {
    let (degrees, rotation) = turn;
    let (width, height) = panel;
    // The window Slint lays out is the panel turned (linuxkms: `screen_size_to_rotated_window_size`).
    let logical = if degrees % 180 == 90 { (height, width) } else { (width, height) };
    adapter.set_size(slint::PhysicalSize::new(logical.0, logical.1));
    let mut buffer = vec![PremultipliedRgbaColor::default(); (width * height) as usize];
    adapter.request_redraw();
    adapter.draw_if_needed(|renderer| {
        renderer.set_rendering_rotation(rotation);
        renderer.render(&mut buffer, width as usize);
    });
    let pressed = Rc::new(RefCell::new(String::new()));
    window.on_touched({
        let pressed = pressed.clone();
        move |name| *pressed.borrow_mut() = name.to_string()
    });
    let matrix = calibration_matrix(degrees);
    let corners = [(2, 2), (width - 3, 2), (2, height - 3), (width - 3, height - 3)]
        .into_iter()
        .map(|(x, y)| {
            let drawn = corner_drawn(buffer[(y * width + x) as usize]);
            // libinput: the touch as fractions of the panel, through the matrix; Slint scales it to the window.
            let (fx, fy) = ((x as f32 + 0.5) / width as f32, (y as f32 + 0.5) / height as f32);
            let touch = slint::LogicalPosition::new(
                (matrix[0] * fx + matrix[1] * fy + matrix[2]) * logical.0 as f32,
                (matrix[3] * fx + matrix[4] * fy + matrix[5]) * logical.1 as f32,
            );
            pressed.borrow_mut().clear();
            let button = PointerEventButton::Left;
            adapter.window().dispatch_event(WindowEvent::PointerPressed { position: touch, button });
            adapter.window().dispatch_event(WindowEvent::PointerReleased { position: touch, button });
            (drawn, pressed.borrow().clone())
        })
        .collect();
    Measured { window: logical, corners }
}

/// The edge of the panel (as it stands unturned) that the top of the picture is on.
fn top_of_picture(measured: &Measured) -> &'static str {
    let panel = ["top left", "top right", "bottom left", "bottom right"];
    let at = |corner| panel[measured.corners.iter().position(|(drawn, _)| *drawn == corner).unwrap()];
    match (at("top left"), at("top right")) {
        ("top left", "top right") => "top",
        ("top right", "bottom right") => "right",
        ("bottom right", "bottom left") => "bottom",
        ("bottom left", "top left") => "left",
        other => panic!("the picture is mirrored, not turned: {other:?}"),
    }
}

#[test]
fn a_touch_on_each_corner_of_the_panel_presses_the_button_drawn_there() {
    let adapter = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
    slint::platform::set_platform(Box::new(Headless(adapter.clone()))).unwrap();
    let window = Corners::new().unwrap();
    window.show().unwrap();

    let mut table = String::from(
        "| `rotation` | Original Touch Display (7\", 800×480) | Touch Display 2 (720×1280) | Touch matrix `config apply` writes |\n\
         |---|---|---|---|\n",
    );
    for turn in ROTATIONS {
        let mut row = format!("| `{}` |", turn.0);
        for (screen, width, height) in SCREENS {
            let measured = measure(&adapter, &window, (width, height), turn);
            for (drawn, pressed) in &measured.corners {
                assert_eq!(pressed, drawn, "{screen} at rotation {}: a touch where \"{drawn}\" is drawn", turn.0);
            }
            let (w, h) = measured.window;
            let stands = if w > h { "landscape" } else { "portrait" };
            row += &format!(
                " {stands} {w}×{h}; top of the picture along the panel's {} edge |",
                top_of_picture(&measured)
            );
        }
        let numbers: Vec<String> = calibration_matrix(turn.0).iter().map(|n| format!("{n}")).collect();
        row += &format!(" `{}` |\n", numbers.join(" "));
        table += &row;
    }

    let guide = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/install-on-pi.md");
    let text = std::fs::read_to_string(&guide).unwrap();
    let (begin, end) =
        ("<!-- rotation table: made by kiosk/touchscreen/tests/rotation.rs -->\n", "<!-- end of rotation table -->");
    let start = text.find(begin).expect("the guide has the rotation table") + begin.len();
    let stop = text[start..].find(end).expect("the rotation table ends") + start;
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&guide, format!("{}{table}{}", &text[..start], &text[stop..])).unwrap();
    } else {
        assert_eq!(&text[start..stop], table, "docs/install-on-pi.md: run with UPDATE_GOLDEN=1 to rewrite the table");
    }
}
