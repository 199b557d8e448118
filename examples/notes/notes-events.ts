import type { NoteView } from './notes.service';

/**
 * The notes gateway's socket events, declared once: the gateway's server is typed with them, and a
 * client types its socket with them on top of Gatehouse's own
 * (`connectSocket<NotesServerEvents, NotesClientEvents>(url, { token })` of @gatehouse/client).
 */
export interface NotesServerEvents {
  /** To every socket of the account, when one of them added a note. */
  'notes:added': (note: NoteView) => void;
}

export interface NotesClientEvents {
  /** Adds a note; acknowledged with the note, or an error in the Birdhouse shape. */
  'notes:add': (
    body: { text: string; public?: boolean },
    ack: (reply: { status: 'ok'; note: NoteView } | { status: 'error'; error: string; message?: string }) => void,
  ) => void;
}
