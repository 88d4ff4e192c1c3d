/**
 * The portal's only stylesheet, served from `/portal/assets/portal.css` so the Content-Security-Policy
 * can forbid inline styles and every script. Mobile first: one column, large touch targets; colours
 * keep a contrast ratio of at least 7:1 for text (WCAG AAA) and 3:1 for borders.
 */
export const portalStylesheet = `
*,*::before,*::after{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:100%;line-height:1.5;color:#1a1a1a;background:#f4f5f7}
body{margin:0}
.skip{position:absolute;left:-999px;top:0;background:#fff;color:#0b3d91;padding:.5rem 1rem;z-index:1}
.skip:focus{left:.5rem}
header,main,footer{max-width:40rem;margin:0 auto;padding:1rem}
header{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;justify-content:space-between}
.brand{font-weight:700;margin:0}
nav ul{list-style:none;display:flex;gap:.25rem;margin:0;padding:0;flex-wrap:wrap}
nav a{display:inline-block;padding:.5rem .6rem;color:#0b3d91;border-radius:.25rem;min-height:44px}
nav a[aria-current="true"]{font-weight:700;text-decoration:none;border:1px solid #0b3d91}
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0 1rem}
h2{font-size:1.2rem;margin:0 0 .5rem}
section,.card{background:#fff;border:1px solid #8a8f98;border-radius:.5rem;padding:1rem;margin:0 0 1rem}
ul.claims{list-style:none;margin:0;padding:0}
ul.claims li{display:flex;flex-wrap:wrap;justify-content:space-between;gap:.5rem;padding:.75rem 0;border-top:1px solid #d0d4da}
ul.claims li:first-child{border-top:0}
.amount{font-weight:700;font-variant-numeric:tabular-nums}
.muted{color:#464b53}
.status{border-left:4px solid #0b3d91;background:#eef3fb;padding:.75rem;margin:0 0 1rem}
.status.ok{border-color:#0a6b2d;background:#eaf6ee}
.status.warn{border-color:#8a4b00;background:#fdf3e6}
a{color:#0b3d91}
a:focus-visible,button:focus-visible,input:focus-visible,textarea:focus-visible{outline:3px solid #c24e00;outline-offset:2px}
button,.button{display:inline-block;font:inherit;font-weight:600;min-height:44px;padding:.6rem 1rem;border-radius:.375rem;border:2px solid #0b3d91;background:#0b3d91;color:#fff;cursor:pointer;text-decoration:none;text-align:center}
button.secondary,.button.secondary{background:#fff;color:#0b3d91}
form.inline{display:inline}
fieldset{border:1px solid #8a8f98;border-radius:.375rem;margin:0 0 1rem;padding:.75rem}
legend{font-weight:600;padding:0 .25rem}
label{display:block;margin:.25rem 0}
.choice{display:flex;gap:.5rem;align-items:flex-start;padding:.4rem 0}
.choice input{width:1.25rem;height:1.25rem;margin-top:.15rem}
input[type="date"],textarea{font:inherit;width:100%;padding:.5rem;border:1px solid #5c616a;border-radius:.25rem;min-height:44px;background:#fff;color:#1a1a1a}
.hint{color:#464b53;font-size:.95rem;margin:.25rem 0 .5rem}
.error{color:#a1000e;font-weight:600}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:.5rem .25rem;border-top:1px solid #d0d4da}
td.amount{text-align:right}
footer{color:#464b53;font-size:.9rem}
`;
