// The parts of circomlibjs (no type declarations of its own) that the ztoken model uses.
declare module 'circomlibjs' {
  /** a field element in circomlibjs's internal (Montgomery) form */
  type FieldElement = Uint8Array;
  interface Field {
    e(v: bigint | number | string): FieldElement;
    toObject(a: FieldElement): bigint;
  }
  interface Poseidon {
    (inputs: (bigint | number | FieldElement)[]): FieldElement;
    F: Field;
  }
  interface BabyJub {
    F: Field;
    subOrder: bigint;
    Base8: [FieldElement, FieldElement];
    inCurve(p: [FieldElement, FieldElement]): boolean;
    inSubgroup(p: [FieldElement, FieldElement]): boolean;
    mulPointEscalar(p: [FieldElement, FieldElement], e: bigint): [FieldElement, FieldElement];
  }
  interface Eddsa {
    F: Field;
    babyJub: BabyJub;
    poseidon: Poseidon;
    prv2pub(prv: Uint8Array): [FieldElement, FieldElement];
    signPoseidon(prv: Uint8Array, msg: FieldElement): { R8: [FieldElement, FieldElement]; S: bigint };
    verifyPoseidon(
      msg: FieldElement,
      sig: { R8: [FieldElement, FieldElement]; S: bigint },
      A: [FieldElement, FieldElement],
    ): boolean;
  }
  export function buildPoseidon(): Promise<Poseidon>;
  export function buildEddsa(): Promise<Eddsa>;
  export function buildBabyjub(): Promise<BabyJub>;
}
