package io.deepnets.report;

/** HTML escaping for every user-supplied string that goes into a page. */
public final class Html {
    private Html() {
    }

    public static String escape(Object value) {
        String s = String.valueOf(value);
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** A relative link target: each path segment percent-encoded, so names with spaces or '#' still resolve. */
    public static String href(String relativePath) {
        StringBuilder sb = new StringBuilder();
        for (String part : relativePath.split("/", -1)) {
            if (sb.length() > 0) {
                sb.append('/');
            }
            sb.append(java.net.URLEncoder.encode(part, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return escape(sb.toString());
    }

    /**
     * Marks the body with {@code data-images-loaded="loaded/total"} once the page has loaded, so a headless browser
     * can check that every figure resolved.
     */
    static final String IMAGE_CHECK = "<script>window.addEventListener('load',function(){var m=document.images,n=0;"
            + "for(var k=0;k<m.length;k++){if(m[k].complete&&m[k].naturalWidth>0){n++;}}"
            + "document.body.setAttribute('data-images-loaded',n+'/'+m.length);});</script>\n";

    static final String STYLE = """
            body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
            h1{font-size:26px;margin-bottom:4px} h2{font-size:20px;margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}
            table{border-collapse:collapse;margin:8px 0;font-size:14px} th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
            th{background:#f3f3f3} td.l,th.l{text-align:left} pre{background:#f7f7f7;padding:10px;overflow-x:auto;font-size:13px}
            img{max-width:100%;border:1px solid #eee;margin:6px 0} .muted{color:#777} .warn{background:#fff3cd;border:1px solid #e0c36b;padding:8px 12px}
            .figs{display:flex;flex-wrap:wrap;gap:12px} .figs img{width:520px} .big{font-size:18px}
            """;
}
