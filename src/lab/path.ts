/** A place in a lab document: steps[2].checks[0].with.role as ['steps', 2, 'checks', 0, 'with', 'role']. */
export type Path = (string | number)[];

/**
 * Records a problem at a place; preferKey points at the key itself rather than its value, and
 * `text`, when the value is a string spanning lines (a `|` block), points at the line of that
 * text inside it.
 */
export type Report = (at: Path, message: string, preferKey?: boolean, text?: string) => void;
