package io.deepnets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The documentation's links lead somewhere: every Markdown link and image ({@code [text](target)},
 * {@code ![alt](target)}, and the {@code src}/{@code href} of HTML {@code <img>} and {@code <a>} tags) in README.md,
 * ARCHITECTURE.md and docs/**.md names a file or folder that exists, relative to the Markdown file's folder, and a
 * {@code #anchor} into a Markdown file names one of its headings under GitHub's slug rules (lower case; characters
 * other than letters, digits, spaces, '-' and '_' removed; spaces to '-'; a repeated heading gets -1, -2, ...).
 * Links inside fenced code blocks and inline code spans are not links and are left alone, as are http(s) and mailto
 * targets. Also: the README stays a front door, short and with its two set-up commands first.
 */
class MarkdownLinksTest {
    /** The project root: Maven runs the tests there. */
    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Pattern LINK = Pattern.compile("!?\\[(?:[^\\[\\]]|\\[[^\\[\\]]*\\])*\\]\\(\\s*<?([^\\s)>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern HTML_LINK = Pattern.compile("<(?:img|a)\\b[^>]*?\\b(?:src|href)\\s*=\\s*\"([^\"]*)\"", Pattern.CASE_INSENSITIVE);
    private static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s+(?:name|id)=\"([^\"]+)\"");
    private static final Pattern FENCE = Pattern.compile("^\\s*(`{3,}|~{3,})");
    private static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern EXTERNAL = Pattern.compile("^(https?:|mailto:).*", Pattern.CASE_INSENSITIVE);
    private static final int README_MAX_LINES = 200;

    private final Map<Path, Set<String>> anchorsByFile = new HashMap<>();

    @Test
    void everyLinkInTheDocumentationLeadsSomewhere() throws IOException {
        List<String> failures = new ArrayList<>();
        int links = 0;
        for (Path md : markdownFiles()) {
            String name = ROOT.relativize(md).toString().replace('\\', '/');
            for (Line line : linesOutsideFences(Files.readString(md, StandardCharsets.UTF_8))) {
                for (String target : targets(withoutCodeSpans(line.text()))) {
                    links++;
                    String problem = check(md, target);
                    if (problem != null) {
                        failures.add(name + ":" + line.number() + ": " + target + ": " + problem);
                    }
                }
            }
        }
        assertTrue(links > 0, "no links found: is the working directory the project root? " + ROOT);
        assertTrue(failures.isEmpty(), failures.size() + " broken link(s):\n" + String.join("\n", failures));
    }

    @Test
    void theReadmeIsShortAndItsTwoSetUpCommandsComeFirst() throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        assertTrue(lines.size() <= README_MAX_LINES, "README.md has " + lines.size() + " lines; the reference belongs in docs/ (at most "
                + README_MAX_LINES + ")");
        String firstSection = lines.stream().filter(l -> l.startsWith("## ")).findFirst().orElse("");
        assertTrue(firstSection.startsWith("## Set-up"), "the README's first section is the set-up, not '" + firstSection + "'");
        StringBuilder firstBlock = new StringBuilder();
        boolean inside = false;
        for (String l : lines) {
            if (FENCE.matcher(l).find()) {
                if (inside) {
                    break;
                }
                inside = true;
            } else if (inside) {
                firstBlock.append(l).append('\n');
            }
        }
        assertTrue(firstBlock.toString().contains("./deepnets run"), "the README's first code block runs an experiment:\n" + firstBlock);
        assertTrue(firstBlock.toString().contains("mvn test"), "the README's first code block runs the tests:\n" + firstBlock);
    }

    @Test
    void headingsBecomeGitHubAnchors() {
        assertEquals("set-up-two-commands", slug("Set-up: two commands"));
        assertEquals("where-the-time-goes-bench---profile", slug("Where the time goes: `bench --profile`"));
        assertEquals("batch_normalization-and-friends", slug("batch_normalization and friends"));
        assertEquals("see-the-guide", slug("See [the guide](docs/guide.md)"));
        assertEquals("12-über-schnell", slug("1.2 Über schnell!"));
    }

    /** README.md, ARCHITECTURE.md and every .md file under docs/, in a fixed order. */
    private static List<Path> markdownFiles() throws IOException {
        List<Path> files = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("ARCHITECTURE.md")));
        Path docs = ROOT.resolve("docs");
        if (Files.isDirectory(docs)) {
            try (Stream<Path> walk = Files.walk(docs)) {
                walk.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".md")).sorted().forEach(files::add);
            }
        }
        return files;
    }

    /** Why {@code target}, written in {@code md}, leads nowhere; null when it is fine or external. */
    private String check(Path md, String target) throws IOException {
        if (EXTERNAL.matcher(target).matches()) {
            return null;
        }
        int hash = target.indexOf('#');
        String pathPart = decode(hash < 0 ? target : target.substring(0, hash));
        String anchor = hash < 0 ? "" : decode(target.substring(hash + 1));
        Path dest;
        if (pathPart.isEmpty()) {
            dest = md;
        } else if (pathPart.startsWith("/")) {
            dest = ROOT.resolve(pathPart.substring(1)).normalize();
        } else {
            dest = md.getParent().resolve(pathPart).normalize();
        }
        if (!Files.exists(dest)) {
            return "no such file";
        }
        if (!anchor.isEmpty() && dest.getFileName().toString().endsWith(".md") && !anchors(dest).contains(anchor)) {
            return "no such heading";
        }
        return null;
    }

    /** The anchors GitHub gives {@code md}'s headings, plus explicit {@code <a name|id="...">}. */
    private Set<String> anchors(Path md) throws IOException {
        Set<String> known = anchorsByFile.get(md);
        if (known == null) {
            known = new LinkedHashSet<>();
            Map<String, Integer> seen = new HashMap<>();
            for (Line line : linesOutsideFences(Files.readString(md, StandardCharsets.UTF_8))) {
                Matcher h = HEADING.matcher(line.text());
                if (h.matches()) {
                    String s = slug(h.group(2));
                    int n = seen.merge(s, 1, Integer::sum) - 1;
                    known.add(n == 0 ? s : s + "-" + n);
                }
                Matcher a = HTML_ANCHOR.matcher(line.text());
                while (a.find()) {
                    known.add(a.group(1));
                }
            }
            anchorsByFile.put(md, known);
        }
        return known;
    }

    /**
     * GitHub's anchor for a heading: its text as rendered (links become their text, tags vanish), lower case, every
     * character other than a letter, digit, space, '-' or '_' removed, and each space a '-'.
     */
    static String slug(String heading) {
        String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replaceAll("<[^>]+>", "").toLowerCase(Locale.ROOT);
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                out.appendCodePoint(c);
            } else if (c == ' ') {
                out.append('-');
            }
        });
        return out.toString();
    }

    /** The link and image targets on one line (code spans already blanked). */
    private static List<String> targets(String line) {
        List<String> found = new ArrayList<>();
        for (Pattern p : List.of(LINK, HTML_LINK)) {
            Matcher m = p.matcher(line);
            while (m.find()) {
                found.add(m.group(1));
            }
        }
        return found;
    }

    /** {@code line} with every inline code span (a run of backticks to the next run of the same length) blanked. */
    static String withoutCodeSpans(String line) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < line.length()) {
            if (line.charAt(i) != '`') {
                out.append(line.charAt(i++));
                continue;
            }
            int j = i;
            while (j < line.length() && line.charAt(j) == '`') {
                j++;
            }
            int close = closingRun(line, j, j - i);
            if (close < 0) {
                out.append(line, i, j);
                i = j;
            } else {
                out.append(" ".repeat(close + (j - i) - i));
                i = close + (j - i);
            }
        }
        return out.toString();
    }

    /** Where the next run of exactly {@code ticks} backticks starts at or after {@code from}; -1 when none. */
    private static int closingRun(String line, int from, int ticks) {
        int k = from;
        while (k < line.length()) {
            if (line.charAt(k) != '`') {
                k++;
                continue;
            }
            int end = k;
            while (end < line.length() && line.charAt(end) == '`') {
                end++;
            }
            if (end - k == ticks) {
                return k;
            }
            k = end;
        }
        return -1;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private record Line(int number, String text) {
    }

    /** The lines of {@code text} that are not inside a fenced code block, numbered from 1; the fences themselves left out. */
    private static List<Line> linesOutsideFences(String text) {
        List<Line> out = new ArrayList<>();
        String fence = null;
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            Matcher m = FENCE.matcher(lines[n]);
            if (m.find()) {
                if (fence == null) {
                    fence = m.group(1).substring(0, 3);
                    continue;
                }
                if (m.group(1).startsWith(fence)) {
                    fence = null;
                    continue;
                }
            }
            if (fence == null) {
                out.add(new Line(n + 1, lines[n]));
            }
        }
        return out;
    }
}
