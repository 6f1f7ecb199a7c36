package io.deepnets.report;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;

/**
 * Renders the pages from the jte templates under {@code src/main/jte}, compiled to Java classes by the build
 * (jte-maven-plugin), so a template that does not fit its model fails {@code mvn compile}, not a user's report.
 * Content type HTML: every {@code ${...}} is escaped for where it stands (text or attribute); nothing a user
 * wrote (experiment names, class names, descriptions, file names) can reach a page as markup.
 */
public final class PageTemplates {
    private static final TemplateEngine ENGINE = TemplateEngine.createPrecompiled(ContentType.Html);

    private PageTemplates() {
    }

    /** The page of {@code template} (e.g. {@code "run.jte"}) for its one parameter {@code model}. */
    public static String render(String template, Object model) {
        StringOutput out = new StringOutput();
        ENGINE.render(template, model, out);
        return out.toString();
    }
}
