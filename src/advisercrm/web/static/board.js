// The task board's drag and drop: a card dropped on a column is sent with the card's own
// move form (its CSRF token and status list), as a keyboard user would send it, and the
// place it was dropped at: the position of the card it now stands before (none: the end
// of the column). The server moves the task there and shifts the tasks between, as the
// cards' positions are shifted here; should the move fail, the card goes back where it
// was and the reason is announced.
"use strict";

(function () {
  const board = document.querySelector(".board");
  if (!board) return;
  const announce = document.getElementById("board-status");
  let dragged = null;

  function say(text) {
    if (announce) announce.textContent = text;
  }

  function recount(column) {
    const count = column.querySelector("h2 .count");
    if (count) count.textContent = "(" + column.querySelectorAll(".task").length + ")";
  }

  function position(card) {
    return Number(card.dataset.position);
  }

  // The place asked for when `card` is dropped before `before` (null: at the end).
  function wanted(card, column, before) {
    const same = card.closest(".column") === column;
    if (!before) {
      // The end: of another column, where a moved task goes anyway; of its own, the place
      // of the last card.
      const cards = column.querySelectorAll(".task");
      return same ? position(cards[cards.length - 1]) : null;
    }
    const below = same && position(before) > position(card);
    return below ? position(before) - 1 : position(before);
  }

  // The server's rule for the tasks between a task's old and new place, on the cards.
  function shift(column, card, from, to, same) {
    column.querySelectorAll(".task").forEach(function (other) {
      if (other === card) return;
      const p = position(other);
      if (same && to < from && p >= to && p < from) other.dataset.position = p + 1;
      else if (same && to > from && p > from && p <= to) other.dataset.position = p - 1;
      else if (!same && p >= to) other.dataset.position = p + 1;
    });
    card.dataset.position = to;
  }

  async function send(card, column, before) {
    const form = card.querySelector("form.move");
    const select = form.querySelector("select");
    const from = card.closest(".column");
    const same = from === column;
    const home = card.nextElementSibling;
    const name = card.querySelector("h3").textContent;
    const data = new URLSearchParams(new FormData(form));
    data.set("task_status_uuid", column.dataset.status);
    const place = wanted(card, column, before);
    if (place !== null) data.set("position", String(place));
    column.querySelector(".cards").insertBefore(card, before);
    recount(from);
    recount(column);
    let answer = null;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: data,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      answer = response.ok ? await response.json() : null;
      if (!answer) {
        const failed = await response.json().catch(() => null);
        say("Could not move " + name + ": " + ((failed && failed.message) || "the page has expired; reload it."));
      }
    } catch (error) {
      say("Could not move " + name + ": the server did not answer.");
    }
    if (answer) {
      shift(column, card, position(card), answer.position, same);
      select.value = answer.status.uuid;
      say("Moved " + name + " to " + answer.status.name + ", place " + answer.position + ".");
    } else {
      from.querySelector(".cards").insertBefore(card, home);
      recount(from);
      recount(column);
    }
  }

  // The card the pointer is above the middle of, in the column: the drop goes before it.
  function beforeOf(column, y) {
    const cards = Array.from(column.querySelectorAll(".task")).filter((c) => c !== dragged);
    return cards.find((c) => y < c.getBoundingClientRect().top + c.offsetHeight / 2) || null;
  }

  board.addEventListener("dragstart", function (event) {
    const card = event.target.closest && event.target.closest(".task[draggable='true']");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.task);
  });

  board.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    board.querySelectorAll(".column.over").forEach((c) => c.classList.remove("over"));
  });

  function target(event) {
    const column = event.target.closest && event.target.closest(".column[data-drop]");
    return dragged && column ? column : null;
  }

  board.addEventListener("dragover", function (event) {
    const column = target(event);
    if (!column) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    column.classList.add("over");
  });

  board.addEventListener("dragleave", function (event) {
    const column = target(event);
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("over");
  });

  board.addEventListener("drop", function (event) {
    const column = target(event);
    if (!column) return;
    event.preventDefault();
    column.classList.remove("over");
    const card = dragged;
    // On the column's title: the end of the column, as its "Move to" form does.
    const before = event.target.closest("h2") ? null : beforeOf(column, event.clientY);
    const same = card.closest(".column") === column;
    if (same && (before === card.nextElementSibling || before === card)) return; // not moved
    send(card, column, before);
  });
})();
