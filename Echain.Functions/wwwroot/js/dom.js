// Builds DOM nodes without innerHTML, so chain data (titles, types) can never become markup.

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") element.className = value;
    else if (name === "text") element.textContent = value;
    else if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  element.append(...children.flat().filter((child) => child !== undefined && child !== null && child !== false));
  return element;
}

/** Replaces a region's content and keeps the heading structure intact. */
export function fill(region, ...children) {
  region.replaceChildren(...children.flat().filter(Boolean));
}

export function setTitle(text) {
  document.title = text ? `${text} — Echain` : "Echain — event tickets";
}
