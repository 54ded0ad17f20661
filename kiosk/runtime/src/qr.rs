//! QR codes for passes, as PNG (to print or show), SVG (to scale) and pixels (for the screen).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use image::{GrayImage, Luma};
use qrcode::{EcLevel, QrCode, Version};

/// The largest QR version a pass may need: small enough for a cheap scanner at arm's length.
pub const MAX_PASS_VERSION: i16 = 4;

/// Encodes `payload` at error-correction level M, refusing anything larger than [`MAX_PASS_VERSION`].
pub fn pass_code(payload: &str) -> Result<QrCode> {
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M)
        .context("the pass does not fit a QR code")?;
    match code.version() {
        Version::Normal(version) if version <= MAX_PASS_VERSION => Ok(code),
        other => {
            anyhow::bail!("the pass needs QR {other:?}, larger than version {MAX_PASS_VERSION}")
        }
    }
}

/// The pass as black-on-white pixels, each module `module_pixels` square, with the standard quiet zone.
pub fn pass_pixels(payload: &str, module_pixels: u32) -> Result<GrayImage> {
    Ok(pass_code(payload)?.render::<Luma<u8>>().module_dimensions(module_pixels, module_pixels).build())
}

/// The pass as a PNG file's bytes (to send: an e-mail shows it inline).
pub fn pass_png(payload: &str) -> Result<Vec<u8>> {
    let mut png = std::io::Cursor::new(Vec::new());
    pass_pixels(payload, 8)?.write_to(&mut png, image::ImageFormat::Png).context("could not draw the pass as PNG")?;
    Ok(png.into_inner())
}

/// Writes `<prefix>.png` and `<prefix>.svg`; returns both paths.
pub fn write_pass_images(payload: &str, prefix: &Path) -> Result<(PathBuf, PathBuf)> {
    let code = pass_code(payload)?;
    let png = prefix.with_extension("png");
    let svg = prefix.with_extension("svg");
    if let Some(parent) = png.parent().filter(|parent| !parent.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("could not create {}", parent.display()))?;
    }
    pass_pixels(payload, 10)?.save(&png).with_context(|| format!("could not write {}", png.display()))?;
    std::fs::write(&svg, svg_document(&code)).with_context(|| format!("could not write {}", svg.display()))?;
    Ok((png, svg))
}

fn svg_document(code: &QrCode) -> String {
    code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(300, 300).build()
}

/// The pass as an `<svg>` element to put inside a web page (no XML declaration).
pub fn pass_svg(payload: &str) -> Result<String> {
    Ok(svg_element(&pass_code(payload)?))
}

/// A web address as an `<svg>` element to put inside a web page (level M, any length a URL needs).
pub fn link_svg(url: &str) -> Result<String> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).context("the address is too long")?;
    Ok(svg_element(&code))
}

fn svg_element(code: &QrCode) -> String {
    let document = svg_document(code);
    document.find("<svg").map_or(document.clone(), |at| document[at..].to_owned())
}

/// A web address as black-on-white pixels, two per module (any length a URL needs, level M).
pub fn link_pixels(url: &str) -> Result<GrayImage> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).context("the address is too long")?;
    Ok(code.render::<Luma<u8>>().module_dimensions(2, 2).build())
}
