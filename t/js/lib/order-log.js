export const events = [];
export function note(s) {
	events.push(s);
}
