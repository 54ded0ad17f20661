//! The layout check itself, on small windows with one known fault each: it must name every fault it is meant to
//! find, and find nothing in a window without one.

mod common;

use slint::ComponentHandle;

use common::layout::{Finding, check_window};

slint::slint! {
    // The check finds a scroll area's cue by this name, as it finds the kiosk's own.
    component ScrollCue inherits Rectangle { }

    component Button inherits Rectangle {
        in property <string> label;
        accessible-role: button;
        accessible-label: root.label;
        background: #ccc;
        TouchArea { }
    }

    export component Elided inherits Window {
        width: 300px; height: 200px;
        Text { x: 0; y: 0; width: 60px; text: "A sentence far too long"; overflow: elide; }
    }
    export component BrokenWord inherits Window {
        width: 300px; height: 200px;
        Text { x: 0; y: 0; width: 60px; height: 150px; text: "Llanfairpwllgwyngyll"; wrap: word-wrap; }
    }
    export component CutByAncestor inherits Window {
        width: 300px; height: 200px;
        Rectangle { x: 0; y: 0; width: 300px; height: 20px; clip: true; Text { x: 0; y: 10px; text: "Hello"; } }
    }
    export component OffScreen inherits Window {
        width: 300px; height: 200px;
        Button { x: 250px; y: 0; width: 100px; height: 100px; label: "Half off"; }
    }
    export component Small inherits Window {
        width: 300px; height: 200px;
        Button { x: 0; y: 0; width: 40px; height: 100px; label: "Thin"; }
    }
    export component Overlapping inherits Window {
        width: 300px; height: 200px;
        Button { x: 0; y: 0; width: 100px; height: 100px; label: "First"; }
        Button { x: 50px; y: 50px; width: 100px; height: 100px; label: "Second"; }
    }
    export component NoCue inherits Window {
        width: 300px; height: 200px;
        Flickable {
            x: 0; y: 0; width: 300px; height: 150px;
            VerticalLayout { for i in 4: Button { height: 75px; label: "Row " + i; } }
        }
    }
    export component WithCue inherits Window {
        width: 300px; height: 200px;
        Rectangle {
            Flickable {
                x: 0; y: 0; width: 300px; height: 150px;
                VerticalLayout { for i in 4: Button { height: 75px; label: "Row " + i; } }
            }
            ScrollCue { x: 0; y: 150px; width: 300px; height: 50px; }
        }
    }
    export component TooTallToScroll inherits Window {
        width: 300px; height: 200px;
        Rectangle {
            Flickable {
                x: 0; y: 0; width: 300px; height: 25px;
                VerticalLayout { Button { height: 80px; label: "Tall"; } }
            }
            ScrollCue { x: 0; y: 25px; width: 300px; height: 30px; }
        }
    }
    export component Unlabelled inherits Window {
        width: 300px; height: 200px;
        TouchArea { x: 0; y: 0; width: 100px; height: 100px; }
    }
    export component Clean inherits Window {
        width: 300px; height: 200px;
        VerticalLayout {
            padding: 10px;
            spacing: 10px;
            Text { text: "Every word whole"; wrap: word-wrap; }
            Button { height: 80px; label: "Fine"; }
        }
    }
}

fn findings<T: ComponentHandle>(make: fn() -> Result<T, slint::PlatformError>) -> Vec<Finding> {
    let window = make().unwrap();
    window.show().unwrap();
    check_window(window.window(), 72.0)
}

/// The one finding in `findings` says `expected`.
fn says(findings: &[Finding], expected: &str) {
    assert!(findings.iter().any(|finding| finding.problem.contains(expected)), "wanted {expected:?} in {findings:#?}");
}

#[test]
fn each_fault_is_named_and_a_clean_window_passes() {
    common::init_headless();
    says(&findings(Elided::new), "elided");
    says(&findings(BrokenWord::new), "broken inside a word");
    says(&findings(CutByAncestor::new), "cut by the clipped edge of Rectangle");
    says(&findings(OffScreen::new), "off screen and not in a scroll area");
    says(&findings(Small::new), "smaller than a touch target: 40×100");
    says(&findings(Overlapping::new), "overlaps Button \"Second\"");
    says(&findings(NoCue::new), "with no sign that it scrolls");
    assert!(
        !findings(WithCue::new).iter().any(|finding| finding.problem.contains("no sign")),
        "a ScrollCue beside the list is a sign"
    );
    says(&findings(TooTallToScroll::new), "it can never be seen whole");
    says(&findings(Unlabelled::new), "no accessible button");
    assert_eq!(findings(Clean::new), []);
}
