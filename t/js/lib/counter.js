// Module state and live bindings: importers see `count` change.
export let count = 0;

export function increment() {
	count++;
	return count;
}

let loads = 0;
loads++;
export const loadedTimes = () => loads;
