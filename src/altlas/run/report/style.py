"""The report's stylesheet: system fonts only, light and dark, narrow windows, print."""

from __future__ import annotations

__all__ = ["CSS"]

CSS = """
:root{--fg:#1f2328;--muted:#59636e;--bg:#fff;--card:#fff;--soft:#f6f8fa;--line:#d1d9e0;
--accent:#0969da;--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--off:#6e7781;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--card:#151b23;
--soft:#1b222c;--line:#3d444d;--accent:#4493f8;--ok:#3fb950;--bad:#f85149;--warn:#d29922;
--off:#9198a1}}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;
color:var(--fg);background:var(--bg);margin:0 auto;max-width:68rem;padding:1.5rem 1.25rem 3rem}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em}
h1{font-size:1.6rem;line-height:1.25;margin:.2rem 0 .4rem;overflow-wrap:anywhere}
h2{font-size:1.15rem;margin:2rem 0 .6rem;padding-bottom:.3rem;border-bottom:1px solid var(--line)}
.kicker{color:var(--muted);font-size:.8rem;text-transform:uppercase;letter-spacing:.06em}
.muted{color:var(--muted)}.small{font-size:.85rem}
.s-completed,.s-success{--c:var(--ok)}.s-failed,.s-failure{--c:var(--bad)}
.s-timeout,.s-partial_success{--c:var(--warn)}.s-running{--c:var(--accent)}
.s-skipped,.s-cancelled,.s-pending{--c:var(--off)}
.badge{display:inline-block;padding:.05rem .55rem;border-radius:1rem;font-size:.78rem;
font-weight:600;color:var(--c,var(--off));border:1px solid var(--c,var(--off));white-space:nowrap}
.verdict{display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;align-items:center;margin:.3rem 0 1rem}
.verdict b{color:var(--c)}
.answer{border:1px solid var(--line);border-left:5px solid var(--c,var(--accent));
border-radius:.5rem;background:var(--card);padding:.9rem 1.2rem;margin:1rem 0 1.5rem}
.answer>h2{border:0;margin:0 0 .4rem;padding:0;font-size:.8rem;color:var(--muted);
text-transform:uppercase;letter-spacing:.06em}
.para{white-space:pre-wrap;overflow-wrap:anywhere;margin:.35rem 0}
.answer .para{font-size:1.05rem}.answer>*+*{margin-top:.9rem}
.md{overflow-wrap:anywhere}.task .md{margin-top:.6rem}
.md>:first-child{margin-top:0}.md>:last-child{margin-bottom:0}
.md table{display:block;overflow-x:auto;max-width:100%;overflow-wrap:break-word}
.md h1{font-size:1.3rem}
.md h2{font-size:1.1rem;margin:1rem 0 .4rem}.md h3{font-size:1rem}
.scroll{overflow-x:auto;max-width:100%;margin:.5rem 0}
table{border-collapse:collapse;font-size:.88rem}
th,td{border-bottom:1px solid var(--line);padding:.3rem .65rem;text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
caption{caption-side:bottom;text-align:left;color:var(--muted);font-size:.8rem;padding-top:.3rem}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--soft);border-radius:.4rem;
padding:.6rem .8rem;margin:.4rem 0;max-height:24rem;overflow:auto}
.graph{overflow-x:auto;border:1px solid var(--line);border-radius:.5rem;background:var(--soft);
padding:.5rem}
.graph svg{display:block;max-width:100%;height:auto;margin:0 auto}
.graph .node rect{fill:var(--card);stroke:var(--c,var(--off));stroke-width:2}
.graph .node .type{fill:var(--c,var(--off));font:600 12px system-ui,sans-serif}
.graph .node .label{fill:var(--fg);font:13px system-ui,sans-serif}
.graph .edge{fill:none;stroke:var(--muted);stroke-width:1.6}.graph .arrow{fill:var(--muted)}
.task{border:1px solid var(--line);border-radius:.5rem;background:var(--card);
padding:.8rem 1rem;margin:.8rem 0;border-left:4px solid var(--c,var(--off))}
.task header{display:flex;flex-wrap:wrap;align-items:baseline;gap:.3rem .7rem}
.task header h3{margin:0;font-size:1rem;overflow-wrap:anywhere}
.task .facts{color:var(--muted);font-size:.82rem}
.why{background:color-mix(in srgb,var(--bad) 9%,var(--card));border-radius:.4rem;
padding:.5rem .8rem;margin:.5rem 0}
.why b{color:var(--bad)}.s-skipped .why b,.s-cancelled .why b{color:var(--muted)}
.s-skipped .why,.s-cancelled .why{background:var(--soft)}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.4rem 0;
font-size:.88rem}dl.kv dt{color:var(--muted)}dl.kv dd{margin:0;overflow-wrap:anywhere}
details{margin:.4rem 0}summary{cursor:pointer;color:var(--muted);font-size:.85rem}
.link{text-decoration:underline dotted}.url{color:var(--muted);font-size:.85em}
footer{margin-top:2.5rem;color:var(--muted);font-size:.8rem}
@media (max-width:40rem){body{padding:1rem .75rem 2rem;font-size:14px}h1{font-size:1.3rem}
.answer{padding:.7rem .8rem}.task{padding:.6rem .7rem}dl.kv{grid-template-columns:1fr}
.graph svg{max-width:none}
dl.kv dd{margin-bottom:.3rem}}
@media print{:root{--fg:#000;--muted:#444;--bg:#fff;--card:#fff;--soft:#f3f3f3;--line:#bbb}
body{max-width:none;padding:0;font-size:11pt}pre{max-height:none;overflow:visible}
.scroll,.graph{overflow:visible}.task,.answer,.graph,tr{break-inside:avoid}
h2{break-after:avoid}details:not([open]){display:none}*{print-color-adjust:exact;-webkit-print-color-adjust:exact}}
"""
