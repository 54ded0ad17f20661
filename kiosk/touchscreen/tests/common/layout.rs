//! The layout check: walks the window's item tree as Slint laid it out and reports, for every text and every touch
//! target, what a person could not see whole or reach. Nothing here knows a coordinate of ours: each element is
//! compared with its window, its clipping ancestors and its scroll areas, and each text is measured by the renderer.
//!
//! It reports:
//! - a text that is elided, cut by its own box or by an ancestor, or broken inside a word;
//! - a touch target outside the window and not inside a scroll area, smaller than `Theme.touch-target` on either
//!   side, or overlapping another target;
//! - a scroll area with content hidden and no sign of it (a `ScrollCue` beside it, or a row partly shown at its
//!   edge), or one too small to show its largest row whole;
//! - a touch area that is not inside an accessible target (people with screen readers, and this check, miss it).
//!
//! The testing backend's element handles give geometry and accessible properties but neither parents nor
//! clipping nor text measurement, so the walk uses Slint's item tree (`i-slint-core`, pinned with the testing crate).

use std::fmt;
use std::rc::Rc;

use i_slint_core::item_tree::ItemRc;
use i_slint_core::items::{
    AccessibleRole, Clip, ComplexText, Flickable, Opacity, Orientation, SimpleText, TextOverflow, TextWrap, TouchArea,
};
use i_slint_core::window::WindowInner;
use kiosk_touchscreen::ui::{MainWindow, Theme};
use slint::ComponentHandle;

/// Half a pixel: layouts round to whole pixels.
const SLACK: f32 = 0.5;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl Rect {
    fn right(&self) -> f32 {
        self.x + self.w
    }
    fn bottom(&self) -> f32 {
        self.y + self.h
    }
    fn intersect(&self, other: &Rect) -> Rect {
        let (x, y) = (self.x.max(other.x), self.y.max(other.y));
        let (right, bottom) = (self.right().min(other.right()), self.bottom().min(other.bottom()));
        Rect { x, y, w: (right - x).max(0.0), h: (bottom - y).max(0.0) }
    }
    fn is_empty(&self) -> bool {
        self.w <= SLACK || self.h <= SLACK
    }
    fn contains(&self, other: &Rect) -> bool {
        other.x >= self.x - SLACK
            && other.y >= self.y - SLACK
            && other.right() <= self.right() + SLACK
            && other.bottom() <= self.bottom() + SLACK
    }
}

impl fmt::Display for Rect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.0}×{:.0} at ({:.0}, {:.0})", self.w, self.h, self.x, self.y)
    }
}

/// One thing a person could not see or reach, named by the element and its place in the screen's components.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub element: String,
    pub problem: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.element, self.problem)
    }
}

/// What the walk carries from an element to its children.
#[derive(Clone)]
struct Context {
    /// Window coordinates of the parent's origin.
    origin: (f32, f32),
    /// Where content can be brought into view: the window, narrowed by clipping ancestors; inside a scroll area,
    /// the whole of its content.
    reach: Rect,
    /// The element that set `reach`, for messages.
    reach_by: Rc<str>,
    /// What is on screen right now (scroll areas show only their window).
    visible: Rect,
    /// The innermost scroll area, as an index into `Walk::scrolls`.
    scroll: Option<usize>,
    /// The user components the element sits in ("WalkInScreen › NameStep").
    path: Rc<str>,
    /// Inside an accessible touch target (so a touch area here is that target's).
    in_target: bool,
    /// This element is a scroll area's content: its own rectangle is what scrolling can reach.
    scroll_content: bool,
}

struct Scroll {
    element: String,
    rect: Rect,
    visible: Rect,
    content: (f32, f32),
    /// How far the content is scrolled (right, down).
    offset: (f32, f32),
    parent: Option<ItemRc>,
    /// Something inside is cut by the scroll area's edge: a row partly shown says there is more.
    partly_shown_row: bool,
    /// The tallest and widest target inside, which must fit the window to be seen whole and tapped.
    largest: (f32, f32, String),
}

struct Walk {
    touch_target: f32,
    findings: Vec<Finding>,
    targets: Vec<(Rect, String)>,
    texts: Vec<(Rect, String)>,
    scrolls: Vec<Scroll>,
    /// `ScrollCue`s that are on screen, by their parent element.
    cues: Vec<ItemRc>,
}

/// Every problem on the kiosk's window as it is drawn now.
pub fn check(window: &MainWindow) -> Vec<Finding> {
    check_window(window.window(), window.global::<Theme>().get_touch_target())
}

/// Every problem on `window` as it is drawn now, for touch targets of `touch_target` pixels.
pub fn check_window(window: &slint::Window, touch_target: f32) -> Vec<Finding> {
    // Drawing makes sure every repeater and condition is instantiated and laid out.
    window.request_redraw();
    let _ = window.take_snapshot();
    let size = window.size().to_logical(window.scale_factor());
    let screen = Rect { x: 0.0, y: 0.0, w: size.width, h: size.height };
    let root = ItemRc::new_root(WindowInner::from_pub(window).component());
    let mut walk = Walk {
        touch_target,
        findings: Vec::new(),
        targets: Vec::new(),
        texts: Vec::new(),
        scrolls: Vec::new(),
        cues: Vec::new(),
    };
    let context = Context {
        origin: (0.0, 0.0),
        reach: screen,
        reach_by: "the window".into(),
        visible: screen,
        scroll: None,
        path: "".into(),
        in_target: false,
        scroll_content: false,
    };
    walk.visit(&root, &context);
    walk.finish();
    walk.findings
}

/// The element's own type name, from the debug info ("BigButton", "Text").
fn type_name(item: &ItemRc) -> String {
    item.element_type_names_and_ids(0)
        .and_then(|names| names.into_iter().next())
        .map(|(name, _)| name.to_string())
        .unwrap_or_default()
}

/// The element's own type name, or its nearest named ancestor's (`clip: true` makes an unnamed element).
fn nearest_named(item: &ItemRc) -> String {
    let mut current = Some(item.clone());
    while let Some(item) = current {
        let name = type_name(&item);
        if !name.is_empty() {
            return name;
        }
        current = item.parent_item(i_slint_core::item_tree::ParentItemTraversalMode::StopAtPopups);
    }
    "the window".into()
}

fn element_id(item: &ItemRc) -> String {
    item.element_type_names_and_ids(0)
        .and_then(|names| names.into_iter().find(|(_, id)| !id.is_empty()))
        .map(|(_, id)| id.to_string())
        .unwrap_or_default()
}

/// Slint's own elements; the path names only our components.
fn is_builtin(name: &str) -> bool {
    matches!(
        name,
        "" | "Rectangle"
            | "Text"
            | "Image"
            | "TouchArea"
            | "FocusScope"
            | "Flickable"
            | "Empty"
            | "Clip"
            | "Opacity"
            | "Window"
            | "HorizontalLayout"
            | "VerticalLayout"
            | "GridLayout"
            | "Path"
    )
}

fn is_target_role(role: AccessibleRole) -> bool {
    matches!(
        role,
        AccessibleRole::Button
            | AccessibleRole::Checkbox
            | AccessibleRole::Switch
            | AccessibleRole::RadioButton
            | AccessibleRole::Tab
            | AccessibleRole::ListItem
            | AccessibleRole::Combobox
    )
}

/// A text's words and settings, whichever kind of text element holds it.
struct TextView {
    text: String,
    wrap: TextWrap,
    overflow: TextOverflow,
}

fn text_of(item: &ItemRc) -> Option<TextView> {
    if let Some(text) = item.downcast::<SimpleText>() {
        let text = text.as_pin_ref();
        return Some(TextView { text: text.text().to_string(), wrap: TextWrap::NoWrap, overflow: TextOverflow::Clip });
    }
    let text = item.downcast::<ComplexText>()?;
    let text = text.as_pin_ref();
    Some(TextView { text: text.text().to_string(), wrap: text.wrap(), overflow: text.overflow() })
}

fn short(text: &str) -> String {
    let one_line = text.replace('\n', " ");
    if one_line.chars().count() > 60 {
        format!("{}…", one_line.chars().take(60).collect::<String>())
    } else {
        one_line
    }
}

impl Walk {
    fn visit(&mut self, item: &ItemRc, context: &Context) {
        let geometry = item.geometry();
        let rect = Rect {
            x: context.origin.0 + geometry.origin.x,
            y: context.origin.1 + geometry.origin.y,
            w: geometry.size.width,
            h: geometry.size.height,
        };
        if let Some(clip) = item.downcast::<Clip>() {
            let clip = clip.as_pin_ref();
            if clip.is_visibility_clip() && clip.clip() {
                return; // `visible: false`
            }
        }
        if item.downcast::<Opacity>().is_some_and(|opacity| opacity.as_pin_ref().opacity() <= 0.0) {
            return;
        }

        let name = type_name(item);
        let path: Rc<str> = if is_builtin(&name) || context.path.ends_with(name.as_str()) {
            context.path.clone()
        } else if context.path.is_empty() {
            name.as_str().into()
        } else {
            format!("{} › {name}", context.path).into()
        };
        let role = item.accessible_role();
        let label = item
            .accessible_string_property(i_slint_core::accessibility::AccessibleStringProperty::Label)
            .map(|label| label.to_string())
            .unwrap_or_default();

        let mut inner = context.clone();
        inner.origin = (rect.x, rect.y);
        inner.path = path.clone();
        inner.scroll_content = false;
        if context.scroll_content {
            inner.reach = rect;
        }

        if let Some(text) = text_of(item) {
            self.check_text(item, &text, rect, context, &path);
        }
        if is_target_role(role) {
            let element = format!("{name} {:?} in {path}", short(&label));
            self.check_target(rect, context, element);
            inner.in_target = true;
        }
        if let Some(touch) = item.downcast::<TouchArea>()
            && touch.as_pin_ref().enabled()
            && !context.in_target
            && !is_target_role(role)
            // The window-wide watcher that keeps the idle timer from running while someone uses the screen.
            && element_id(item) != "MainWindow::activity-watch"
        {
            self.findings.push(Finding {
                element: format!("TouchArea in {path}"),
                problem: format!(
                    "a touch area ({rect}) that is no accessible button: give it accessible-role and a label"
                ),
            });
        }
        if name == "ScrollCue"
            && !rect.intersect(&context.visible).is_empty()
            && let Some(parent) = item.parent_item(i_slint_core::item_tree::ParentItemTraversalMode::StopAtPopups)
        {
            self.cues.push(parent);
        }

        if let Some(flickable) = item.downcast::<Flickable>() {
            let flickable = flickable.as_pin_ref();
            let element = format!("scroll area in {path}");
            if !context.reach.contains(&rect) {
                self.findings.push(Finding {
                    element: element.clone(),
                    problem: format!("the scroll area ({rect}) is cut by {}", context.reach_by),
                });
            }
            let visible = rect.intersect(&context.visible);
            self.scrolls.push(Scroll {
                element: element.clone(),
                rect,
                visible,
                content: (flickable.content_width().get(), flickable.content_height().get()),
                offset: (-flickable.content_x().get(), -flickable.content_y().get()),

                parent: item.parent_item(i_slint_core::item_tree::ParentItemTraversalMode::StopAtPopups),
                partly_shown_row: false,
                largest: (0.0, 0.0, String::new()),
            });
            inner.scroll = Some(self.scrolls.len() - 1);
            inner.visible = visible;
            inner.reach_by = element.into();
            inner.scroll_content = true;
        } else if item.borrow().as_ref().clips_children() {
            inner.reach = inner.reach.intersect(&rect);
            inner.visible = context.visible.intersect(&rect);
            inner.reach_by = format!("the clipped edge of {}", nearest_named(item)).into();
        }

        let mut child = item.first_child();
        while let Some(current) = child {
            self.visit(&current, &inner);
            child = current.next_sibling();
        }
    }

    fn check_text(&mut self, item: &ItemRc, text: &TextView, rect: Rect, context: &Context, path: &str) {
        if text.text.trim().is_empty() {
            return;
        }
        let element = format!("Text {:?} in {path}", short(&text.text));
        let Some(adapter) = item.window_adapter() else { return };
        let horizontal = item.borrow().as_ref().layout_info(Orientation::Horizontal, -1.0, &adapter, item);
        let vertical = item.borrow().as_ref().layout_info(Orientation::Vertical, rect.w, &adapter, item);
        let mut problem = None;
        match text.wrap {
            TextWrap::NoWrap if horizontal.preferred > rect.w + SLACK => {
                problem = Some(if text.overflow == TextOverflow::Elide {
                    format!("elided: needs {:.0} px of width, has {:.0}", horizontal.preferred, rect.w)
                } else {
                    format!("cut at its edge: needs {:.0} px of width, has {:.0}", horizontal.preferred, rect.w)
                });
            }
            TextWrap::WordWrap if text.overflow == TextOverflow::Clip && horizontal.min > rect.w + SLACK => {
                problem = Some(format!(
                    "broken inside a word: its longest word needs {:.0} px, the text has {:.0}",
                    horizontal.min, rect.w
                ));
            }
            _ => {}
        }
        if problem.is_none() && vertical.preferred > rect.h + SLACK {
            let how = if text.overflow == TextOverflow::Elide { "elided" } else { "cut at its edge" };
            problem = Some(format!("{how}: needs {:.0} px of height, has {:.0}", vertical.preferred, rect.h));
        }
        if problem.is_none() && !context.reach.contains(&rect) {
            let shown = rect.intersect(&context.reach);
            problem = Some(format!("cut by {}: {shown} of {rect} can be seen", context.reach_by));
        }
        self.note_in_scroll(context, rect, &element, false);
        if let Some(problem) = problem {
            self.findings.push(Finding { element: element.clone(), problem });
        }
        let visible = rect.intersect(&context.visible);
        if !visible.is_empty() {
            self.texts.push((visible, element));
        }
    }

    fn check_target(&mut self, rect: Rect, context: &Context, element: String) {
        let smallest = self.touch_target - SLACK;
        if rect.w < smallest || rect.h < smallest {
            self.findings.push(Finding {
                element: element.clone(),
                problem: format!(
                    "smaller than a touch target: {:.0}×{:.0}, needs {:.0} on each side",
                    rect.w, rect.h, self.touch_target
                ),
            });
        }
        if !context.reach.contains(&rect) {
            let problem = if context.scroll.is_some() {
                format!("outside its scroll area's content ({rect}), cut by {}", context.reach_by)
            } else {
                format!("off screen and not in a scroll area: {rect}, cut by {}", context.reach_by)
            };
            self.findings.push(Finding { element: element.clone(), problem });
        }
        self.note_in_scroll(context, rect, &element, true);
        let visible = rect.intersect(&context.visible);
        if !visible.is_empty() {
            self.targets.push((visible, element));
        }
    }

    /// Remembers what a scroll area holds: whether a row is cut at its edge, and its largest target. (A paragraph
    /// taller than the window can be read by scrolling; a button must fit to be seen whole and tapped.)
    fn note_in_scroll(&mut self, context: &Context, rect: Rect, element: &str, target: bool) {
        let Some(index) = context.scroll else { return };
        let scroll = &mut self.scrolls[index];
        let window = scroll.visible;
        let straddles_bottom = rect.y < window.bottom() - 8.0 && rect.bottom() > window.bottom() + 8.0;
        let straddles_right = rect.x < window.right() - 8.0 && rect.right() > window.right() + 8.0;
        if straddles_bottom || straddles_right {
            scroll.partly_shown_row = true;
        }
        if target && (rect.h > scroll.largest.0 || rect.w > scroll.largest.1) {
            scroll.largest = (rect.h.max(scroll.largest.0), rect.w.max(scroll.largest.1), element.to_owned());
        }
    }

    fn finish(&mut self) {
        for scroll in &self.scrolls {
            let hidden_down = scroll.content.1 - scroll.offset.1 - scroll.rect.h;
            let hidden_right = scroll.content.0 - scroll.offset.0 - scroll.rect.w;
            let has_cue = scroll.parent.as_ref().is_some_and(|parent| self.cues.contains(parent));
            if (hidden_down > 1.0 || hidden_right > 1.0) && !has_cue && !scroll.partly_shown_row {
                self.findings.push(Finding {
                    element: scroll.element.clone(),
                    problem: format!(
                        "{:.0} px of content hidden below and {:.0} px to the right, with no sign that it scrolls \
                         (no ScrollCue beside it, no row cut at its edge)",
                        hidden_down.max(0.0),
                        hidden_right.max(0.0)
                    ),
                });
            }
            let (tallest, widest, ref element) = scroll.largest;
            if tallest > scroll.visible.h + SLACK || widest > scroll.visible.w + SLACK {
                self.findings.push(Finding {
                    element: scroll.element.clone(),
                    problem: format!(
                        "shows {} but its largest row ({element}) needs {tallest:.0}×{widest:.0}: it can never be \
                         seen whole",
                        scroll.visible
                    ),
                });
            }
        }
        for (first, (rect, element)) in self.targets.iter().enumerate() {
            for (other_rect, other) in &self.targets[first + 1..] {
                let overlap = rect.intersect(other_rect);
                if !overlap.is_empty() {
                    self.findings
                        .push(Finding { element: element.clone(), problem: format!("overlaps {other} ({overlap})") });
                }
            }
        }
        for (first, (rect, element)) in self.texts.iter().enumerate() {
            for (other_rect, other) in &self.texts[first + 1..] {
                let overlap = rect.intersect(other_rect);
                if overlap.w > 2.0 && overlap.h > 2.0 {
                    self.findings.push(Finding {
                        element: element.clone(),
                        problem: format!("is drawn over {other} ({overlap})"),
                    });
                }
            }
        }
    }
}

/// Slides the scroll areas holding the element labelled `label` until it is in view, as a person would before
/// tapping it. False if no element has that label.
pub fn reveal(window: &MainWindow, label: &str) -> bool {
    let root = ItemRc::new_root(WindowInner::from_pub(window.window()).component());
    root.visit_descendants(|_| std::ops::ControlFlow::<()>::Continue(()));
    let Some(item) = find_labelled(&root, label, true).or_else(|| find_labelled(&root, label, false)) else {
        return false;
    };
    let mut child = item.clone();
    while let Some(parent) = child.parent_item(i_slint_core::item_tree::ParentItemTraversalMode::StopAtPopups) {
        if let Some(flickable) = parent.downcast::<Flickable>() {
            // `child` is the flickable's content: bring the item's top to the top of the window.
            let item_top = item.map_to_item_tree(Default::default(), parent.item_tree()).y
                - child.map_to_item_tree(Default::default(), parent.item_tree()).y
                + item.geometry().origin.y;
            let flickable = flickable.as_pin_ref();
            let window_height = parent.geometry().size.height;
            let room = (flickable.content_height().get() - window_height).max(0.0);
            let target = item_top.clamp(0.0, room);
            Flickable::FIELD_OFFSETS
                .content_y()
                .apply_pin(flickable)
                .set(i_slint_core::lengths::LogicalLength::new(-target));
        }
        child = parent;
    }
    true
}

/// The first element labelled `label` (only touch targets if `targets`).
fn find_labelled(item: &ItemRc, label: &str, targets: bool) -> Option<ItemRc> {
    let found = item
        .accessible_string_property(i_slint_core::accessibility::AccessibleStringProperty::Label)
        .is_some_and(|candidate| candidate == label);
    if found && (!targets || is_target_role(item.accessible_role())) {
        return Some(item.clone());
    }
    let mut child = item.first_child();
    while let Some(current) = child {
        if let Some(found) = find_labelled(&current, label, targets) {
            return Some(found);
        }
        child = current.next_sibling();
    }
    None
}

/// How far each scroll area on screen is scrolled down, in the order they are drawn.
pub fn scroll_offsets(window: &MainWindow) -> Vec<f32> {
    fn collect(item: &ItemRc, offsets: &mut Vec<f32>) {
        if let Some(flickable) = item.downcast::<Flickable>() {
            offsets.push(-flickable.as_pin_ref().content_y().get());
        }
        let mut child = item.first_child();
        while let Some(current) = child {
            collect(&current, offsets);
            child = current.next_sibling();
        }
    }
    let _ = window.window().take_snapshot();
    let mut offsets = Vec::new();
    collect(&ItemRc::new_root(WindowInner::from_pub(window.window()).component()), &mut offsets);
    offsets
}
