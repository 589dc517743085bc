// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Forms marked data-confirm ask before they submit (deletes, unbans).
  document.querySelectorAll("form[data-confirm]").forEach((f) => {
    f.addEventListener("submit", (ev) => {
      if (!window.confirm(f.dataset.confirm)) ev.preventDefault();
    });
  });
  // Selects marked data-autosubmit submit their form on change (policy assignment).
  document.querySelectorAll("select[data-autosubmit]").forEach((s) => {
    s.addEventListener("change", () => s.form.submit());
  });
  // Site form: certificate and key paths only matter with TLS on; hide them (still submitted) while it is off.
  const tls = document.getElementById("tls");
  if (tls) {
    const paths = document.querySelectorAll("#tls-fields label:not(.check), #tls-fields .field-error");
    const sync = () => paths.forEach((el) => { el.hidden = !tls.checked; });
    tls.addEventListener("change", sync);
    sync();
  }
  // Dashboard refreshes itself every 30 s while visible.
  if (location.pathname === "/") {
    setInterval(() => { if (!document.hidden) location.reload(); }, 30000);
  }
});
