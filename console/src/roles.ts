// What each role may do, as README's role table says; used only to decide what to show.
import type { Role } from './session';

export type Ability = 'readPeople' | 'managePeople' | 'identify' | 'readEvents' | 'manageKeys' | 'manageSettings';

const ABILITIES: Record<Role, readonly Ability[]> = {
  ADMIN: ['readPeople', 'managePeople', 'identify', 'readEvents', 'manageKeys', 'manageSettings'],
  OPERATOR: ['readPeople', 'managePeople', 'identify', 'readEvents'],
  CLIENT: ['readPeople', 'identify'],
  VIEWER: ['readPeople', 'readEvents'],
};

export function can(role: Role, ability: Ability): boolean {
  return ABILITIES[role].includes(ability);
}
