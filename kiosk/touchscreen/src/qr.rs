//! QR codes as images for the screen.

use anyhow::Result;
use image::GrayImage;
use kiosk_runtime::qr::{link_pixels, pass_pixels};

/// The pass as an image for the touchscreen: crisp modules, the quiet zone included.
pub fn pass_image(payload: &str) -> Result<slint::Image> {
    Ok(to_image(&pass_pixels(payload, 8)?))
}

/// A web address as an image for the touchscreen.
pub fn link_image(url: &str) -> Result<slint::Image> {
    Ok(to_image(&link_pixels(url)?))
}

fn to_image(pixels: &GrayImage) -> slint::Image {
    let mut buffer = slint::SharedPixelBuffer::<slint::Rgb8Pixel>::new(pixels.width(), pixels.height());
    for (target, source) in buffer.make_mut_slice().iter_mut().zip(pixels.pixels()) {
        let value = source.0[0];
        *target = slint::Rgb8Pixel { r: value, g: value, b: value };
    }
    slint::Image::from_rgb8(buffer)
}
