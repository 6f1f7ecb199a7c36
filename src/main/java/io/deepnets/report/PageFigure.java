package io.deepnets.report;

/** An image on a page: its relative, percent-encoded link and the text a screen reader says for it. */
public record PageFigure(String href, String alt) {
    /** A figure for the file at {@code relativePath} (relative to the page). */
    public static PageFigure of(String relativePath, String alt) {
        return new PageFigure(RelativeLinks.href(relativePath), alt);
    }
}
