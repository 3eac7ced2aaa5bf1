//! Progress bars on the terminal for the long commands (`seed`, `import`).

/// A seed's or an import's progress on the terminal (hidden when stderr is not one).
#[derive(Default)]
pub(super) struct ProgressBar(Option<indicatif::ProgressBar>);

impl crate::server::db::seed::Progress for ProgressBar {
    fn stage(&mut self, name: &'static str, total: u64) {
        if let Some(bar) = self.0.take() {
            bar.finish();
        }
        // Without a known total (the rows of a file being checked), a count.
        let (bar, template) = if total == 0 {
            (
                indicatif::ProgressBar::new_spinner(),
                "{msg:>28} {spinner} {human_pos} ({per_sec})",
            )
        } else {
            (
                indicatif::ProgressBar::new(total),
                "{msg:>28} [{bar:40}] {human_pos}/{human_len} ({per_sec}, {eta} left)",
            )
        };
        let bar = bar.with_message(name);
        bar.set_style(
            indicatif::ProgressStyle::with_template(template)
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        self.0 = Some(bar);
    }

    fn advance(&mut self, by: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(by);
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish();
        }
    }
}
