// "Copy citation": a button added only where the browser can copy to the clipboard, so without
// JavaScript the citation stays plain, selectable text and no button that does nothing shows.
for (const citation of document.querySelectorAll("[data-copy-citation]")) {
  if (!navigator.clipboard) break;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "govuk-button govuk-button--secondary govuk-!-margin-bottom-0";
  button.textContent = "Copy citation";
  const status = document.createElement("p");
  status.className = "govuk-body-s govuk-!-margin-top-2";
  status.setAttribute("role", "status");
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(citation.textContent.trim());
      status.textContent = "Citation copied.";
    } catch {
      status.textContent = "Could not copy: select the citation and copy it instead.";
    }
  });
  citation.after(button, status);
}
