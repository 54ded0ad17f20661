//! Printable sheets of passes: A4 pages at 150 dots per inch, twelve passes to a page (3 × 4), each QR code with its
//! holder's name under it and dashed lines to cut along. For a hub that has just loaded its member list.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use anyhow::{Context, Result};
use image::{GrayImage, Luma};

use crate::qr::pass_pixels;

/// A4 at 150 dpi.
const PAGE: (u32, u32) = (1240, 1754);
const COLUMNS: u32 = 3;
const ROWS: u32 = 4;
/// The page's white margin, outside the cut lines.
const MARGIN: u32 = 60;
/// One module of the code: a version-4 code with its quiet zone is 41 modules, 287 px (4.9 cm).
const MODULE: u32 = 7;
const NAME_PX: f32 = 34.0;
const SMALLEST_NAME_PX: f32 = 20.0;

/// The kiosk's own font, so a sheet prints the same letters on every machine.
static FONT: &[u8] = include_bytes!("../../touchscreen/ui/fonts/NotoSans-Regular.ttf");

/// A holder's name and their pass's payload.
#[derive(Debug, Clone)]
pub struct SheetPass {
    pub name: String,
    pub payload: String,
}

/// The pages, in order, as PNG files' bytes.
pub fn pass_sheets(passes: &[SheetPass]) -> Result<Vec<Vec<u8>>> {
    let font = FontRef::try_from_slice(FONT).context("the kiosk's font could not be read")?;
    passes
        .chunks((COLUMNS * ROWS) as usize)
        .map(|page_passes| {
            let page = draw_page(&font, page_passes)?;
            let mut png = std::io::Cursor::new(Vec::new());
            page.write_to(&mut png, image::ImageFormat::Png).context("could not write a pass sheet as PNG")?;
            Ok(png.into_inner())
        })
        .collect()
}

fn draw_page(font: &FontRef<'_>, passes: &[SheetPass]) -> Result<GrayImage> {
    let mut page = GrayImage::from_pixel(PAGE.0, PAGE.1, Luma([255]));
    let cell = ((PAGE.0 - 2 * MARGIN) / COLUMNS, (PAGE.1 - 2 * MARGIN) / ROWS);
    for (index, pass) in passes.iter().enumerate() {
        let (column, row) = (index as u32 % COLUMNS, index as u32 / COLUMNS);
        let (left, top) = (MARGIN + column * cell.0, MARGIN + row * cell.1);
        let code = pass_pixels(&pass.payload, MODULE)?;
        let code_left = left + cell.0.saturating_sub(code.width()) / 2;
        let code_top = top + 24;
        image::imageops::replace(&mut page, &code, i64::from(code_left), i64::from(code_top));
        let name_top = code_top + code.height() + 8;
        draw_name(&mut page, font, &pass.name, (left + 12, name_top), cell.0 - 24);
    }
    // Dashed cut lines around every cell of the grid.
    for column in 0..=COLUMNS {
        let x = MARGIN + column * cell.0;
        dashed(&mut page, (x, MARGIN), (x, MARGIN + ROWS * cell.1));
    }
    for row in 0..=ROWS {
        let y = MARGIN + row * cell.1;
        dashed(&mut page, (MARGIN, y), (MARGIN + COLUMNS * cell.0, y));
    }
    Ok(page)
}

/// A dashed grey line, horizontal or vertical.
fn dashed(page: &mut GrayImage, from: (u32, u32), to: (u32, u32)) {
    let length = (to.0 - from.0).max(to.1 - from.1);
    for step in (0..=length).filter(|step| step % 16 < 9) {
        let (x, y) = if from.0 == to.0 { (from.0, from.1 + step) } else { (from.0 + step, from.1) };
        if x < page.width() && y < page.height() {
            page.put_pixel(x, y, Luma([140]));
        }
    }
}

/// The name centred under the code: on one line, a little smaller if need be; else over two lines (between words),
/// smaller still if need be.
fn draw_name(page: &mut GrayImage, font: &FontRef<'_>, name: &str, (left, top): (u32, u32), width: u32) {
    let fits = |lines: &[String], px: f32| lines.iter().all(|line| text_width(font, line, px) <= width as f32);
    let one = vec![name.to_owned()];
    let two = two_lines(name);
    let sizes = || (0..).map(|step| NAME_PX - step as f32).take_while(|px| *px >= SMALLEST_NAME_PX);
    let (lines, px) = sizes()
        .take_while(|px| *px >= NAME_PX - 6.0)
        .find(|px| fits(&one, *px))
        .map(|px| (one.clone(), px))
        .or_else(|| sizes().find(|px| fits(&two, *px)).map(|px| (two.clone(), px)))
        .unwrap_or((two, SMALLEST_NAME_PX));
    for (number, line) in lines.iter().enumerate() {
        let line_width = text_width(font, line, px).min(width as f32);
        let x = left as f32 + (width as f32 - line_width) / 2.0;
        let y = top as f32 + px * 1.3 * number as f32;
        draw_text(page, font, line, px, (x, y), left + width);
    }
}

/// The name split where its two halves are closest in length.
fn two_lines(name: &str) -> Vec<String> {
    let words: Vec<&str> = name.split_whitespace().collect();
    let half = name.chars().count() / 2;
    let split =
        (1..words.len()).min_by_key(|&at| words[..at].join(" ").chars().count().abs_diff(half)).unwrap_or(words.len());
    vec![words[..split].join(" "), words[split..].join(" ")].into_iter().filter(|line| !line.is_empty()).collect()
}

fn text_width(font: &FontRef<'_>, text: &str, px: f32) -> f32 {
    let scaled = font.as_scaled(PxScale::from(px));
    let mut width = 0.0;
    let mut previous = None;
    for character in text.chars() {
        let glyph = scaled.glyph_id(character);
        if let Some(previous) = previous {
            width += scaled.kern(previous, glyph);
        }
        width += scaled.h_advance(glyph);
        previous = Some(glyph);
    }
    width
}

/// Draws `text` with its top-left at `at`, in black, clipped at `right`.
fn draw_text(page: &mut GrayImage, font: &FontRef<'_>, text: &str, px: f32, at: (f32, f32), right: u32) {
    let scaled = font.as_scaled(PxScale::from(px));
    let (mut x, baseline) = (at.0, at.1 + scaled.ascent());
    let mut previous = None;
    for character in text.chars() {
        let id = scaled.glyph_id(character);
        if let Some(previous) = previous {
            x += scaled.kern(previous, id);
        }
        let glyph = id.with_scale_and_position(PxScale::from(px), ab_glyph::point(x, baseline));
        if let Some(outline) = font.outline_glyph(glyph) {
            let bounds = outline.px_bounds();
            outline.draw(|gx, gy, coverage| {
                let (px_x, px_y) = (bounds.min.x as i64 + i64::from(gx), bounds.min.y as i64 + i64::from(gy));
                if px_x < 0
                    || px_y < 0
                    || px_x >= i64::from(right.min(page.width()))
                    || px_y >= i64::from(page.height())
                {
                    return;
                }
                let pixel = page.get_pixel_mut(px_x as u32, px_y as u32);
                let ink = (255.0 * (1.0 - coverage.clamp(0.0, 1.0))) as u8;
                pixel.0[0] = pixel.0[0].min(ink);
            });
        }
        x += scaled.h_advance(id);
        previous = Some(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirteen_passes_make_two_pages_whose_codes_read_back() {
        let passes: Vec<SheetPass> = (0..13)
            .map(|index| SheetPass {
                name: if index == 0 {
                    "Gwenllian Llanfairpwllgwyngyll-Cadwaladr ap Rhydderch".into()
                } else {
                    format!("Member {index}")
                },
                payload: format!(
                    "HKTESTPASS{index:02}ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ01"
                ),
            })
            .collect();
        let pages = pass_sheets(&passes).unwrap();
        assert_eq!(pages.len(), 2);
        if let Some(dir) = std::env::var_os("PASS_SHEET_PICTURES") {
            std::fs::write(std::path::Path::new(&dir).join("pass-sheet-1.png"), &pages[0]).unwrap();
        }
        let first = image::load_from_memory(&pages[0]).unwrap().to_luma8();
        assert_eq!(first.dimensions(), PAGE);
        // Each card as it is cut out, read by a decoder we did not write.
        let cell = ((PAGE.0 - 2 * MARGIN) / COLUMNS, (PAGE.1 - 2 * MARGIN) / ROWS);
        for (index, pass) in passes[..12].iter().enumerate() {
            let (column, row) = (index as u32 % COLUMNS, index as u32 / COLUMNS);
            let card =
                image::imageops::crop_imm(&first, MARGIN + column * cell.0, MARGIN + row * cell.1, cell.0, cell.1);
            let mut prepared = rqrr::PreparedImage::prepare(card.to_image());
            let grids = prepared.detect_grids();
            assert_eq!(grids.len(), 1, "card {index}");
            assert_eq!(grids[0].decode().unwrap().1, pass.payload, "card {index}");
        }
    }

    #[test]
    fn a_long_name_goes_over_two_lines_between_words() {
        assert_eq!(two_lines("Gwenllian Llywelyn ap Rhydderch"), ["Gwenllian Llywelyn", "ap Rhydderch"]);
        assert_eq!(two_lines("Llanfairpwllgwyngyll"), ["Llanfairpwllgwyngyll"]);
    }
}
