let x: Array<Map<string, number[]>>= [];
type C<T> = T extends string ? "s" : { [K in keyof T]?: T[K] };
f<string>(a as any)!;
class P<T> implements I { constructor(private x: number) { super(); } m?(): void; }
const g = async <T,>(x: T): Promise<T> => x;
