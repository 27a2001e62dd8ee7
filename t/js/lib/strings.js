// A helper module for the differential corpus.
export const SEP = "::";

export function join(...parts) {
	return parts.join(SEP);
}

export default function shout(s) {
	return s.toUpperCase() + "!";
}

export class Greeter {
	constructor(name) {
		this.name = name;
	}
	greet() {
		return `hi ${this.name}`;
	}
}
