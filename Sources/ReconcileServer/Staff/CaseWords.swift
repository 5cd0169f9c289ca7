import ReconcileCore

/// Words that only the views of a case show: the area's names for the levels of need (`policies/levels.json`) and
/// the partner's words for the coded experience themes (`policies/themes.json`). Steps never receive them.
struct CaseWords: Sendable {
    var levels = LevelLabels()
    var themes = ThemeLabels()
}
