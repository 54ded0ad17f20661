fn main() {
    // Debug builds carry element information so tests can find elements by their accessible labels;
    // release builds for the device leave it out.
    let debug_build = std::env::var("PROFILE").is_ok_and(|profile| profile == "debug");
    let config = slint_build::CompilerConfiguration::new()
        .with_bundled_translations("../translations")
        .with_default_translation_context(slint_build::DefaultTranslationContext::None)
        .with_debug_info(debug_build);
    slint_build::compile_with_config("ui/main.slint", config).expect("the kiosk's .slint files compile");
}
